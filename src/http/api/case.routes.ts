import { z } from 'zod';
import { acknowledgeAlert, acknowledgeAlertInput, listAlerts } from '../../alerts/alert.service.js';
import {
  recordBankruptcy,
  recordBankruptcyDischarge,
  recordBankruptcyDismissal,
  recordBankruptcyInput,
  closeBankruptcyInput,
} from '../../cases/bankruptcy.service.js';
import { addNote, addNoteInput, logCall, logCallInput } from '../../cases/call-log.service.js';
import type { CaseDependencies } from '../../cases/case-action.js';
import { exportCaseFile } from '../../cases/case-file.js';
import { placeCreditHold, placeCreditHoldInput, releaseCreditHold, releaseCreditHoldInput } from '../../cases/credit-hold.service.js';
import { openDispute, openDisputeInput, resolveDispute, resolveDisputeInput } from '../../cases/dispute.service.js';
import { InvalidInput, InvalidTransition, NotFound, PermissionDenied } from '../../cases/errors.js';
import { placeLegalHold, placeLegalHoldInput, releaseLegalHold, releaseLegalHoldInput } from '../../cases/legal-hold.service.js';
import { cancelPaymentPlan, cancelPlanInput, createPaymentPlan, createPlanInput } from '../../cases/payment-plan.service.js';
import { pauseCase, pauseInput, resumeCase, resumeInput } from '../../cases/pause.service.js';
import { ACTION_ROLES, type CaseAction } from '../../cases/permissions.js';
import { cancelPromise, cancelPromiseInput, recordPromise, recordPromiseInput } from '../../cases/promise.service.js';
import { updateCustomerInput, updateCustomerSettings } from '../../cases/customer-settings.service.js';
import { waiveInterest, waiveInterestInput } from '../../cases/interest-waiver.service.js';
import { writeOff, writeOffInput } from '../../cases/write-off.service.js';
import { ProblemError } from './problem.js';
import { defineRoute, type ApiRoute, type ApiResponse } from './route.js';

// The case actions of issue 6 over HTTP. Each route's body is its service's own zod schema
// without `customer` (which comes from the path), so the OpenAPI document shows exactly what the
// service validates; the service still validates (and checks the role) itself, and its errors
// become problem documents: PermissionDenied 403, InvalidInput 400 naming the field, NotFound
// 404, InvalidTransition 409.

/** A case-action error as the problem to answer with; anything else is not ours. */
export function caseProblem(error: unknown): ProblemError | null {
  if (error instanceof PermissionDenied) return new ProblemError(403, error.message);
  if (error instanceof InvalidInput)
    return new ProblemError(
      400,
      error.message,
      error.fields.map((f) => ({ field: f.field, message: f.message })),
    );
  if (error instanceof NotFound) return new ProblemError(404, error.message);
  if (error instanceof InvalidTransition) return new ProblemError(409, error.message);
  return null;
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw caseProblem(error) ?? error;
  }
}

/** A service schema without its `customer` field, strict (an unknown field is a 400). */
function bodyOf<S extends z.ZodRawShape>(schema: z.ZodObject<S>) {
  const { customer: _customer, ...rest } = schema.shape;
  return z.strictObject(rest as Omit<S, 'customer'>);
}

const customerParams = z.strictObject({ customer: z.string().min(1).describe('customer external id') });
const anyObject = z.record(z.string(), z.unknown());
const ERRORS: Record<number, ApiResponse> = {
  404: { description: 'No such customer (or invoice, promise, alert)' },
  409: {
    description: 'The action does not apply to the current state (e.g. releasing a hold that is not placed, nothing open to write off)',
  },
};

type Service = (deps: CaseDependencies, actor: string, input: any) => Promise<unknown>;

interface CaseActionSpec {
  url: string;
  operationId: string;
  summary: string;
  action: CaseAction;
  schema: z.ZodObject<z.ZodRawShape>;
  run: Service;
}

/** One POST per case action, below `/cases/:customer`. */
const ACTIONS: CaseActionSpec[] = [
  {
    url: '/legal-hold',
    operationId: 'placeLegalHold',
    summary: 'Place a legal hold: all contact stops at once',
    action: 'legal_hold.place',
    schema: placeLegalHoldInput,
    run: placeLegalHold,
  },
  {
    url: '/legal-hold/release',
    operationId: 'releaseLegalHold',
    summary: 'Release the legal hold; dunning resumes at the current stage',
    action: 'legal_hold.release',
    schema: releaseLegalHoldInput,
    run: releaseLegalHold,
  },
  {
    url: '/bankruptcy',
    operationId: 'recordBankruptcy',
    summary: 'Record a bankruptcy filing: all contact stops',
    action: 'bankruptcy.record',
    schema: recordBankruptcyInput,
    run: recordBankruptcy,
  },
  {
    url: '/bankruptcy/discharge',
    operationId: 'dischargeBankruptcy',
    summary: 'Record the discharge of the open filing: the open balance is written off and contact stops for good',
    action: 'bankruptcy.discharge',
    schema: closeBankruptcyInput,
    run: recordBankruptcyDischarge,
  },
  {
    url: '/bankruptcy/dismiss',
    operationId: 'dismissBankruptcy',
    summary: 'Record the dismissal of the open filing',
    action: 'bankruptcy.dismiss',
    schema: closeBankruptcyInput,
    run: recordBankruptcyDismissal,
  },
  {
    url: '/write-off',
    operationId: 'writeOff',
    summary: 'Write off an invoice (`invoice`) or the whole open balance (`all: true`): it leaves dunning, balances and reports',
    action: 'invoice.write_off',
    schema: writeOffInput,
    run: writeOff,
  },
  {
    url: '/settings',
    operationId: 'updateCustomerSettings',
    summary:
      'Change what the business owns outside the ledger: collector (email), profile, holiday calendar, do-not-contact, statement schedule, sales contact, late-payment interest rule and contractual rate',
    action: 'customer.update',
    schema: updateCustomerInput,
    run: updateCustomerSettings,
  },
  {
    url: '/waive-interest',
    operationId: 'waiveInterest',
    summary: 'Waive the late-payment interest and compensation of an invoice (`invoice`, `reason`): shown as waived, no longer claimed',
    action: 'interest.waive',
    schema: waiveInterestInput,
    run: waiveInterest,
  },
  {
    url: '/credit-hold',
    operationId: 'placeCreditHold',
    summary: 'Place a credit hold (ERP event, email to the sales contact)',
    action: 'credit_hold.place',
    schema: placeCreditHoldInput,
    run: placeCreditHold,
  },
  {
    url: '/credit-hold/release',
    operationId: 'releaseCreditHold',
    summary: 'Release the credit hold',
    action: 'credit_hold.release',
    schema: releaseCreditHoldInput,
    run: releaseCreditHold,
  },
  {
    url: '/disputes',
    operationId: 'openDispute',
    summary: 'Open a dispute on an invoice: it leaves dunning, the others continue',
    action: 'dispute.open',
    schema: openDisputeInput,
    run: openDispute,
  },
  {
    url: '/disputes/resolve',
    operationId: 'resolveDispute',
    summary: 'Resolve the open dispute of an invoice',
    action: 'dispute.resolve',
    schema: resolveDisputeInput,
    run: resolveDispute,
  },
  {
    url: '/promises',
    operationId: 'recordPromise',
    summary: 'Record a promise to pay (pauses dunning; emails a confirmation)',
    action: 'promise.record',
    schema: recordPromiseInput,
    run: recordPromise,
  },
  {
    url: '/promises/cancel',
    operationId: 'cancelPromise',
    summary: 'Cancel an open promise to pay',
    action: 'promise.cancel',
    schema: cancelPromiseInput,
    run: cancelPromise,
  },
  {
    url: '/payment-plan',
    operationId: 'createPaymentPlan',
    summary: 'Agree a payment plan (instalments summing to the total, dates ascending)',
    action: 'payment_plan.create',
    schema: createPlanInput,
    run: createPaymentPlan,
  },
  {
    url: '/payment-plan/cancel',
    operationId: 'cancelPaymentPlan',
    summary: 'Cancel the active payment plan',
    action: 'payment_plan.cancel',
    schema: cancelPlanInput,
    run: cancelPaymentPlan,
  },
  {
    url: '/calls',
    operationId: 'logCall',
    summary: 'Log a call with its outcome (completes the open call task)',
    action: 'call.log',
    schema: logCallInput,
    run: logCall,
  },
  {
    url: '/notes',
    operationId: 'addNote',
    summary: 'Add a note to the contact log',
    action: 'note.log',
    schema: addNoteInput,
    run: addNote,
  },
  {
    url: '/pause',
    operationId: 'pauseCase',
    summary: 'Pause all automated contact (optionally until an instant)',
    action: 'case.pause',
    schema: pauseInput,
    run: pauseCase,
  },
  {
    url: '/resume',
    operationId: 'resumeCase',
    summary: 'Resume a paused case',
    action: 'case.resume',
    schema: resumeInput,
    run: resumeCase,
  },
];

/** The case-action routes: every action, the case file, alerts. The actor is the token's user. */
export function caseRoutes(deps: CaseDependencies): ApiRoute<any, any, any>[] {
  const actionRoutes = ACTIONS.map((spec) =>
    defineRoute({
      method: 'POST',
      url: `/cases/:customer${spec.url}`,
      operationId: spec.operationId,
      tag: 'case actions',
      scope: 'cases:write',
      role: ACTION_ROLES[spec.action],
      summary: spec.summary,
      description: `Service action \`${spec.action}\`, recorded in the audit trail with the token's user as actor.`,
      params: customerParams,
      body: bodyOf(spec.schema),
      responses: { 200: { description: 'Done: the ids of what was written', schema: anyObject }, ...ERRORS },
      handler: ({ principal, params, body }) =>
        mapped(() => spec.run(deps, principal.userId, { ...(body as object), customer: params.customer })),
    }),
  );
  return [
    ...actionRoutes,
    defineRoute({
      method: 'GET',
      url: '/cases/:customer/file',
      operationId: 'exportCaseFile',
      tag: 'case actions',
      scope: 'cases:write',
      role: ACTION_ROLES['case_file.export'],
      summary: 'The case file for legal or an agency (JSON, or `format=html` for the printable document)',
      description:
        'Customer, open invoices with aging, late-payment claims (rule, legal basis, rates per period, waivers), every contact with content and status history (and the claim it stated), promises, disputes, plans, holds. Each export is recorded in the audit trail.',
      params: customerParams,
      query: z.strictObject({ format: z.enum(['json', 'html']).default('json').describe('html: one self-contained HTML document') }),
      responses: { 200: { description: 'The case file', schema: anyObject }, ...ERRORS },
      handler: async ({ principal, params, query, reply }) => {
        const file = await mapped(() => exportCaseFile(deps, principal.userId, { customer: params.customer }));
        if (query.format === 'json') return file.json;
        // The document carries its own inline stylesheet and nothing else.
        return reply
          .type('text/html; charset=utf-8')
          .header(
            'content-security-policy',
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
          )
          .send(file.html);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/alerts',
      operationId: 'listAlerts',
      tag: 'alerts',
      scope: 'cases:write',
      role: ACTION_ROLES['alert.list'],
      summary: 'Manager alerts: open ones, or all raised in the last `days`',
      query: z.strictObject({
        status: z.enum(['open', 'all']).default('open').describe('all: acknowledged ones too'),
        days: z.coerce.number().int().min(1).max(366).default(7).describe('with status=all: raised in the last n days'),
      }),
      responses: { 200: { description: 'Alerts, newest first', schema: z.object({ items: z.array(anyObject) }) } },
      handler: async ({ principal, query }) => {
        const since = query.status === 'all' ? new Date(deps.clock().getTime() - query.days * 86_400_000) : null;
        return { items: await mapped(() => listAlerts(deps, principal.userId, { mode: query.status, since })) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/alerts/:id/ack',
      operationId: 'acknowledgeAlert',
      tag: 'alerts',
      scope: 'cases:write',
      role: ACTION_ROLES['alert.acknowledge'],
      summary: 'Acknowledge an alert: it is no longer re-raised',
      params: z.strictObject({ id: z.uuid().describe('alert id') }),
      body: z.strictObject({ note: acknowledgeAlertInput.shape.note }).optional(),
      responses: { 200: { description: 'Acknowledged', schema: anyObject }, ...ERRORS },
      handler: ({ principal, params, body }) =>
        mapped(() =>
          acknowledgeAlert(deps, principal.userId, { alertId: params.id, ...(body?.note !== undefined ? { note: body.note } : {}) }),
        ),
    }),
  ];
}
