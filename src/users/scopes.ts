import type { UserRole } from '../db/client.js';

/** What an API token may be used for; each API route names the one it needs. */
export const API_SCOPES = {
  'ledger:write': 'upsert customers, contact points, invoices and payments',
  'ledger:read': 'read customers, cases and invoices',
  'contacts:read': 'read the contact log (and export it as CSV)',
  'reports:read': 'read aging, DSO and CEI',
  'cases:write': 'perform case actions (log calls, promises, disputes, pauses, holds)',
  'metrics:read': 'scrape /metrics (Prometheus)',
  'inbound:write': 'hand customer replies (raw email) to POST /api/v1/inbound/email',
} as const;

export type ApiScope = keyof typeof API_SCOPES;
export const ALL_SCOPES = Object.keys(API_SCOPES) as ApiScope[];

export const ROLES = ['collector', 'manager', 'admin'] as const satisfies readonly UserRole[];
const RANK: Readonly<Record<UserRole, number>> = { collector: 1, manager: 2, admin: 3 };

/** Whether `role` is `least` or above (collector < manager < admin). */
export function roleAtLeast(role: UserRole, least: UserRole): boolean {
  return RANK[role] >= RANK[least];
}

export function parseScopes(text: string): { scopes: ApiScope[]; unknown: string[] } {
  const names = text.split(/[\s,]+/).filter((s) => s !== '');
  const expanded = names.includes('all') ? ALL_SCOPES : names;
  const unknown = expanded.filter((s) => !(s in API_SCOPES));
  return { scopes: [...new Set(expanded.filter((s): s is ApiScope => s in API_SCOPES))], unknown };
}
