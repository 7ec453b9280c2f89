import { describe, expect, it } from 'vitest';
import { PermissionDenied } from '../../../src/cases/errors.js';
import { ACTION_ROLES, assertMayPerform, mayPerform, SYSTEM_ACTOR, type CaseAction, type Role } from '../../../src/cases/permissions.js';

const actions = Object.keys(ACTION_ROLES) as CaseAction[];
const COLLECTOR = [
  'note.log',
  'call.log',
  'promise.record',
  'promise.cancel',
  'message.send',
  'dispute.open',
  'dispute.resolve',
  'case.pause',
  'case.resume',
  'call_task.update',
  'alert.list',
];
const ADMIN_ONLY = ['users.manage', 'tokens.manage', 'policies.manage'];

describe('permissions by role', () => {
  const table: Array<[Role, CaseAction, boolean]> = actions.flatMap((action) => [
    ['collector', action, COLLECTOR.includes(action)] as [Role, CaseAction, boolean],
    ['manager', action, !ADMIN_ONLY.includes(action)] as [Role, CaseAction, boolean],
    ['admin', action, true] as [Role, CaseAction, boolean],
    ['system', action, true] as [Role, CaseAction, boolean],
  ]);
  it.each(table)('%s may %s: %s', (role, action, allowed) => {
    expect(mayPerform(role, action)).toBe(allowed);
  });

  it('refuses with a typed error naming the action and the role', () => {
    const collector = { id: 'u1', role: 'collector' as const, email: 'c@example.com', name: 'C' };
    expect(() => assertMayPerform(collector, 'legal_hold.place')).toThrow(PermissionDenied);
    try {
      assertMayPerform(collector, 'credit_hold.release');
    } catch (error) {
      expect(error).toMatchObject({ action: 'credit_hold.release', role: 'collector' });
    }
    expect(() => assertMayPerform(SYSTEM_ACTOR, 'legal_hold.place')).not.toThrow();
  });
});
