import type { z } from 'zod';

/** Raised at start when a policy is invalid; `problems` holds one readable line per issue. */
export class PolicyValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid dunning policies:\n  ${problems.join('\n  ')}`);
    this.name = 'PolicyValidationError';
  }
}

type Path = readonly PropertyKey[];

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function fieldName(path: Path): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

function phrase(issue: z.core.$ZodIssue, data: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(data, issue.path) === undefined) return 'is required';
      return issue.expected === 'int' ? 'must be a whole number' : `must be a ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    default:
      return issue.message;
  }
}

/** Who a problem belongs to: `policy "x" step "y"`, `policy "x"`, or the file when the id is unusable. */
function owner(issue: z.core.$ZodIssue, data: unknown, source: string): { label: string; rest: Path } {
  const id = valueAt(data, ['id']);
  const policy = typeof id === 'string' && id !== '' ? `policy "${id}"` : `policy in ${source}`;
  const [head, index, ...rest] = issue.path;
  if (head !== 'steps' || typeof index !== 'number') return { label: policy, rest: issue.path };
  const stepId = valueAt(data, ['steps', index, 'id']);
  const step = typeof stepId === 'string' && stepId !== '' ? `"${stepId}"` : `#${index + 1}`;
  return { label: `${policy} step ${step}`, rest };
}

/** e.g. `policy "default" step "overdue-7": actions[1].template is required`. */
export function describeIssue(issue: z.core.$ZodIssue, data: unknown, source: string): string {
  const { label, rest } = owner(issue, data, source);
  const field = fieldName(rest);
  return `${label}: ${field === '' ? '' : `${field} `}${phrase(issue, data)}`;
}
