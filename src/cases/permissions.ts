import { PermissionDenied } from './errors.js';

/** Roles of people, and `system` for automated decisions (policy steps, sweeps). */
export type Role = 'collector' | 'manager' | 'admin' | 'system';

/** Who performs an action: a user, or the system. `id` is what audit rows record. */
export interface Actor {
  id: string;
  role: Role;
  email: string | null;
  name: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system', email: null, name: 'Arrears' };

/** Every case action and the least role that may perform it. */
export const ACTION_ROLES = {
  'note.log': 'collector',
  'call.log': 'collector',
  'promise.record': 'collector',
  'promise.cancel': 'collector',
  'message.send': 'collector',
  'dispute.open': 'collector',
  'dispute.resolve': 'collector',
  'case.pause': 'collector',
  'case.resume': 'collector',
  /** Done / snooze / reassign on one's own (or an unassigned) call task. */
  'call_task.update': 'collector',
  /** The same on a call task assigned to someone else. */
  'call_task.act_for_others': 'manager',
  'payment_plan.create': 'manager',
  'payment_plan.cancel': 'manager',
  'case_file.export': 'manager',
  'legal_hold.place': 'manager',
  'legal_hold.release': 'manager',
  'credit_hold.place': 'manager',
  'credit_hold.release': 'manager',
  'bankruptcy.record': 'manager',
  'bankruptcy.discharge': 'manager',
  'bankruptcy.dismiss': 'manager',
  'invoice.write_off': 'manager',
  /** Not claiming an invoice's late-payment interest and compensation. */
  'interest.waive': 'manager',
  'customer.update': 'manager',
  'allocation.reverse': 'manager',
  'alert.acknowledge': 'manager',
  'alert.list': 'collector',
  'users.manage': 'admin',
  'tokens.manage': 'admin',
  'policies.manage': 'admin',
} as const satisfies Record<string, Exclude<Role, 'system'>>;

export type CaseAction = keyof typeof ACTION_ROLES;

const RANK: Readonly<Record<Role, number>> = { collector: 1, manager: 2, admin: 3, system: 4 };

/** Whether a role may perform an action (`system` may do everything). */
export function mayPerform(role: Role, action: CaseAction): boolean {
  return RANK[role] >= RANK[ACTION_ROLES[action]];
}

/** Throws `PermissionDenied` naming the action and the role when the actor may not perform it. */
export function assertMayPerform(actor: Actor, action: CaseAction): void {
  if (!mayPerform(actor.role, action)) throw new PermissionDenied(action, actor.role);
}
