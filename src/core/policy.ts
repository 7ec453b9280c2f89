/** What a policy step can do; email, sms and call_task reach the customer, the rest are internal. */
export type ActionType = 'email' | 'sms' | 'call_task' | 'credit_hold' | 'legal_hold' | 'manager_alert';

/** Why a manager is alerted. */
export type ManagerAlertKind = 'legal_hold' | 'balance_threshold' | 'broken_promise' | 'credit_limit_crossed' | 'channels_failing';

/** One action of a policy step. Template ids are `<policy>/<step>`; the channel picks the variant. */
export type PolicyAction =
  | { type: 'email'; template: string }
  | { type: 'sms'; template: string; fallback?: 'email' | undefined }
  | { type: 'call_task' }
  | { type: 'credit_hold' }
  | { type: 'legal_hold' }
  | { type: 'manager_alert'; kind: ManagerAlertKind };

/** One step of a dunning sequence. */
export interface PolicyStep {
  /** Unique within the policy; recorded in the contact log to know the step has fired. */
  id: string;
  /** Days from the due date, negative before it. Steps are strictly ascending by offset. */
  offsetDays: number;
  /** Ordinal severity; when one notice covers invoices at different steps, the highest wins. */
  stage: number;
  actions: PolicyAction[];
  /**
   * Late-payment interest: the step's email states the customer's claim (principal, interest to
   * date, compensation, legal basis). Only customers with a basis have one (consumers none unless
   * configured); absent = false.
   */
  interest?: boolean | undefined;
}

/** A dunning policy: data, validated by `src/workflows/policy.schema.ts`. */
export interface Policy {
  id: string;
  name: string;
  steps: PolicyStep[];
}

/** The template an action uses, or `null` for actions that send nothing. */
export function templateOf(action: PolicyAction): string | null {
  return action.type === 'email' || action.type === 'sms' ? action.template : null;
}

/** Whether the step `stepId` of `policy` claims late-payment interest in its email. */
export function stepClaimsInterest(policy: Policy | undefined, stepId: string): boolean {
  return policy?.steps.find((step) => step.id === stepId)?.interest === true;
}
