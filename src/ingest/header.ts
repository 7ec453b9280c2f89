/** The header does not name exactly the expected columns; nothing was read past it. */
export class HeaderError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The header line does not match:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'HeaderError';
  }
}

/**
 * Maps each expected column, then each optional one, to its index in `header` (names compared
 * trimmed and case-blind, in any order); an optional column the header lacks maps to -1. Throws a
 * `HeaderError` naming missing, unexpected (with the likely intended name) and repeated columns.
 */
export function mapHeader(header: readonly string[], expected: readonly string[], optional: readonly string[] = []): number[] {
  const names = header.map((name) => name.trim().toLowerCase());
  const problems: string[] = [];
  const missing = expected.filter((column) => !names.includes(column));
  const absentOptional = optional.filter((column) => !names.includes(column));
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) problems.push(`column "${name}" appears twice`);
    seen.add(name);
    if (expected.includes(name) || optional.includes(name)) continue;
    const guess = closest(name, [...missing, ...absentOptional]);
    problems.push(
      name === '' ? 'a column has no name' : `unexpected column "${name}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`,
    );
  }
  if (missing.length > 0) problems.push(`missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (problems.length > 0) {
    problems.push(`expected: ${expected.join(',')}`);
    if (optional.length > 0) problems.push(`optional: ${optional.join(',')}`);
    throw new HeaderError(problems);
  }
  return [...expected, ...optional].map((column) => names.indexOf(column));
}

/** The missing column `name` was most likely meant as: close in spelling, or the same start. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    const similar = distance <= Math.max(2, Math.floor(name.length / 3)) || commonPrefix(name, candidate) >= Math.min(5, name.length);
    if (similar && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  return i;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
