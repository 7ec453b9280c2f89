import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Policy } from '../core/policy.js';
import { defaultPolicy } from './policies/default.policy.js';
import { keyAccountPolicy } from './policies/key-account.policy.js';
import { describeIssue, PolicyValidationError } from './policy-errors.js';
import { policySchema } from './policy.schema.js';

/** Validated policies by id. */
export type PolicyCatalog = ReadonlyMap<string, Policy>;

/** Raw policy data and where it came from (for error messages). */
export interface PolicySource {
  source: string;
  data: unknown;
}

/** The policies that ship with Arrears. */
export const builtInPolicies: readonly Policy[] = [defaultPolicy, keyAccountPolicy];

/**
 * Validates policy data into a catalog. Every problem in every policy is collected, then thrown
 * together as one `PolicyValidationError`, so a user fixes a file in one pass.
 */
export function parsePolicies(sources: readonly PolicySource[]): PolicyCatalog {
  const catalog = new Map<string, Policy>();
  const origin = new Map<string, string>();
  const problems: string[] = [];
  for (const { source, data } of sources) {
    const parsed = policySchema.safeParse(data);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => describeIssue(issue, data, source)));
      continue;
    }
    const policy = parsed.data;
    const earlier = origin.get(policy.id);
    if (earlier !== undefined) {
      problems.push(`policy "${policy.id}" in ${source}: id is already used by ${earlier}`);
      continue;
    }
    catalog.set(policy.id, policy);
    origin.set(policy.id, source);
  }
  if (problems.length > 0) throw new PolicyValidationError(problems);
  return catalog;
}

async function readJsonPolicies(dir: string): Promise<PolicySource[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (name) => {
      const source = join(dir, name);
      const text = await readFile(source, 'utf8');
      try {
        return { source, data: JSON.parse(text) as unknown };
      } catch (error) {
        throw new PolicyValidationError([`policy file ${source}: invalid JSON (${(error as Error).message})`]);
      }
    }),
  );
}

/**
 * The built-in policies plus every `*.json` policy in `extraDir` (from config), validated. Call
 * at start: an invalid policy stops the worker with a message naming the policy, step and field.
 */
export async function loadPolicies(extraDir?: string): Promise<PolicyCatalog> {
  const builtIn = builtInPolicies.map((data) => ({ source: 'built-in policies', data }));
  const extra = extraDir === undefined ? [] : await readJsonPolicies(extraDir);
  return parsePolicies([...builtIn, ...extra]);
}

/** The customer's policy; an unknown id is a data error the caller must surface. */
export function policyFor(catalog: PolicyCatalog, policyId: string): Policy {
  const policy = catalog.get(policyId);
  if (policy === undefined) throw new Error(`unknown dunning policy "${policyId}" (known: ${[...catalog.keys()].join(', ')})`);
  return policy;
}
