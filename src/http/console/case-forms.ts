import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { acknowledgeAlert } from '../../alerts/alert.service.js';
import { recordBankruptcy, recordBankruptcyDischarge, recordBankruptcyDismissal } from '../../cases/bankruptcy.service.js';
import { CALL_OUTCOMES, addNote, logCall } from '../../cases/call-log.service.js';
import { resolveCustomer, type CaseDependencies } from '../../cases/case-action.js';
import { exportCaseFile } from '../../cases/case-file.js';
import { updateCustomerSettings } from '../../cases/customer-settings.service.js';
import { waiveInterest } from '../../cases/interest-waiver.service.js';
import { RULE_IDS } from '../../core/interest/rules.js';
import { percentText } from '../../core/interest/reference-rate-input.js';
import { loadClaims } from '../../reports/sources/interest.source.js';
import { placeCreditHold, releaseCreditHold } from '../../cases/credit-hold.service.js';
import { openDispute, resolveDispute } from '../../cases/dispute.service.js';
import { InvalidInput, InvalidTransition, NotFound, PermissionDenied } from '../../cases/errors.js';
import { placeLegalHold, releaseLegalHold } from '../../cases/legal-hold.service.js';
import { pauseCase, resumeCase } from '../../cases/pause.service.js';
import { ACTION_ROLES, mayPerform, type CaseAction } from '../../cases/permissions.js';
import { cancelPaymentPlan, createPaymentPlan } from '../../cases/payment-plan.service.js';
import { cancelPromise, recordPromise } from '../../cases/promise.service.js';
import { messageTemplates, previewMessage, sendMessageNow } from '../../cases/send-message.service.js';
import { writeOff } from '../../cases/write-off.service.js';
import { loadActionFormRows } from '../../db/case-file.repository.js';
import type { CustomerRow } from '../../db/customers.repository.js';
import { autoCommit } from '../../db/transaction.js';
import { findUsersByIds } from '../../db/users.repository.js';
import { CONTACT_RESTRICTION_WARNINGS, findContactRestriction } from '../../db/worklist-views.repository.js';
import { listUsers } from '../../db/users.repository.js';
import { parseMajor, toMajorString } from '../../core/money.js';
import { CUSTOMER_PROFILES, STATEMENT_SCHEDULES } from '../../ingest/rows.js';
import { flashOf, type ConsoleActions, type ConsoleHelpers } from './console.plugin.js';
import { amount } from './format.js';
import { registerAlertRoutes } from './alerts.routes.js';
import { customerOpenTasks, registerTaskRoutes } from './tasks.routes.js';

// The case-action forms of the customer page (the `actions` partial) and the dashboard's
// Acknowledge button. Plain POST forms (CSRF checked by the console for every POST), each
// mounted with its action's least role from the services' own table, so a collector neither
// sees nor can use a manager's form; the service checks the role again. After each POST the
// browser is sent back to the customer page with a flash message; a bad input comes back with
// each field's message next to the field and what was typed.

type Form = Record<string, string | undefined>;

interface CaseForm {
  /** Path segment and form key: `/console/customers/<id>/actions/<name>`. */
  name: string;
  action: CaseAction;
  /** The form's fields (names as the service's input, except `amount`). */
  fields: readonly string[];
  run(deps: CaseDependencies, actor: string, customer: CustomerRow, form: Form): Promise<string>;
}

const text = (form: Form, key: string) => form[key]?.trim() ?? '';
/** An optional field: absent when left empty. */
const optional = (form: Form, key: string) => (text(form, key) === '' ? {} : { [key]: text(form, key) });

/** A form whose only field is the reason. */
const reasonOnly = (
  name: string,
  action: CaseAction,
  service: (deps: CaseDependencies, actor: string, input: { customer: string; reason: string }) => Promise<unknown>,
  done: string,
): CaseForm => ({
  name,
  action,
  fields: ['reason'],
  run: async (deps, actor, c, f) => {
    await service(deps, actor, { customer: c.externalId, reason: text(f, 'reason') });
    return done;
  },
});

const FORMS: readonly CaseForm[] = [
  {
    name: 'call',
    action: 'call.log',
    fields: ['outcome', 'notes'],
    run: async (deps, actor, c, f) => {
      await logCall(deps, actor, { customer: c.externalId, outcome: text(f, 'outcome') as 'other', notes: text(f, 'notes') });
      const restriction = await findContactRestriction(autoCommit(deps.prisma), c.id);
      const warning = restriction === null ? '' : ` ${CONTACT_RESTRICTION_WARNINGS[restriction]}`;
      return `Call logged (${text(f, 'outcome').replaceAll('_', ' ')}).${warning}`;
    },
  },
  {
    name: 'note',
    action: 'note.log',
    fields: ['text'],
    run: async (deps, actor, c, f) => {
      await addNote(deps, actor, { customer: c.externalId, text: text(f, 'text') });
      return 'Note added.';
    },
  },
  {
    name: 'promise',
    action: 'promise.record',
    fields: ['amount', 'currency', 'promisedOn', 'allowAboveBalance', 'replaces'],
    run: async (deps, actor, c, f) => {
      const currency = text(f, 'currency').toUpperCase() || c.currency;
      const amount = text(f, 'amount');
      const parsed = amount === '' ? { ok: false as const, reason: 'is required' } : parseMajor(amount, currency);
      if (!parsed.ok) throw new InvalidInput('promise.record', [{ field: 'amount', message: parsed.reason }]);
      if (parsed.minor > BigInt(Number.MAX_SAFE_INTEGER))
        throw new InvalidInput('promise.record', [{ field: 'amount', message: 'is too large' }]);
      const result = await recordPromise(deps, actor, {
        customer: c.externalId,
        amountMinor: Number(parsed.minor),
        currency,
        promisedOn: text(f, 'promisedOn'),
        channel: 'call',
        allowAboveBalance: text(f, 'allowAboveBalance') === 'yes',
        ...optional(f, 'replaces'),
      });
      const replaced = text(f, 'replaces') === '' ? '' : '; the earlier promise is cancelled';
      return `Promise to pay recorded: ${toMajorString(parsed.minor, currency)} ${currency} by ${text(f, 'promisedOn')}${replaced}${result.confirmationContactId ? '; a confirmation email is on its way' : ''}.`;
    },
  },
  {
    name: 'cancel-promise',
    action: 'promise.cancel',
    fields: ['promiseId', 'reason'],
    run: async (deps, actor, c, f) => {
      await cancelPromise(deps, actor, { customer: c.externalId, promiseId: text(f, 'promiseId'), reason: text(f, 'reason') });
      return 'Promise cancelled: dunning resumes at the next look.';
    },
  },
  {
    name: 'message',
    action: 'message.send',
    fields: ['template', 'requestId', 'outsideWindow'],
    run: async (deps, actor, c, f) => {
      const [channel = '', template = ''] = text(f, 'template').split('|');
      const sent = await sendMessageNow(deps, actor, {
        customer: c.externalId,
        channel: channel as 'email',
        template,
        requestId: text(f, 'requestId'),
        outsideWindow: text(f, 'outsideWindow') === 'yes',
      });
      return sent.duplicate
        ? `That message was already sent to ${sent.recipient}; it is not sent twice.`
        : `${channel === 'sms' ? 'SMS' : 'Email'} ${template} queued to ${sent.recipient}: it goes out through the outbox and shows in the timeline.`;
    },
  },
  {
    name: 'payment-plan',
    action: 'payment_plan.create',
    fields: ['total', 'currency', 'count', 'firstDueOn', 'every', 'notes'],
    run: async (deps, actor, c, f) => {
      const currency = text(f, 'currency').toUpperCase() || c.currency;
      const plan = planFromForm(f, currency);
      await createPaymentPlan(deps, actor, { customer: c.externalId, currency, ...plan, ...optional(f, 'notes') });
      return `Payment plan agreed: ${toMajorString(plan.totalMinor, currency)} ${currency} in ${plan.instalments.length} instalments from ${plan.instalments[0]!.dueOn}.`;
    },
  },
  reasonOnly('cancel-plan', 'payment_plan.cancel', cancelPaymentPlan, 'Payment plan cancelled: the policy steps take over again.'),
  {
    name: 'dispute',
    action: 'dispute.open',
    fields: ['invoice', 'reasonCode', 'notes'],
    run: async (deps, actor, c, f) => {
      await openDispute(deps, actor, {
        customer: c.externalId,
        invoice: text(f, 'invoice'),
        reasonCode: text(f, 'reasonCode'),
        ...optional(f, 'notes'),
      });
      return `Dispute opened on ${text(f, 'invoice')}: that invoice leaves dunning.`;
    },
  },
  {
    name: 'resolve-dispute',
    action: 'dispute.resolve',
    fields: ['invoice', 'resolution'],
    run: async (deps, actor, c, f) => {
      await resolveDispute(deps, actor, { customer: c.externalId, invoice: text(f, 'invoice'), resolution: text(f, 'resolution') });
      return `Dispute on ${text(f, 'invoice')} resolved.`;
    },
  },
  {
    name: 'pause',
    action: 'case.pause',
    fields: ['reason', 'until'],
    run: async (deps, actor, c, f) => {
      const untilDay = text(f, 'until');
      let until: string | undefined;
      if (untilDay !== '') {
        const day = DateTime.fromISO(untilDay, { zone: c.timeZone });
        if (!day.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(untilDay))
          throw new InvalidInput('case.pause', [{ field: 'until', message: 'must be a date YYYY-MM-DD' }]);
        until = day.startOf('day').toISO()!;
      }
      await pauseCase(deps, actor, { customer: c.externalId, reason: text(f, 'reason'), ...(until ? { until } : {}) });
      return until ? `Dunning paused until ${untilDay} (${c.timeZone}).` : 'Dunning paused until resumed.';
    },
  },
  reasonOnly('resume', 'case.resume', resumeCase, 'Dunning resumed.'),
  {
    name: 'legal-hold',
    action: 'legal_hold.place',
    fields: ['reason', 'agency'],
    run: async (deps, actor, c, f) => {
      await placeLegalHold(deps, actor, { customer: c.externalId, reason: text(f, 'reason'), ...optional(f, 'agency') });
      return 'Legal hold placed: all contact has stopped.';
    },
  },
  reasonOnly('release-legal-hold', 'legal_hold.release', releaseLegalHold, 'Legal hold released: dunning resumes at the current stage.'),
  reasonOnly('credit-hold', 'credit_hold.place', placeCreditHold, 'Credit hold placed.'),
  reasonOnly('release-credit-hold', 'credit_hold.release', releaseCreditHold, 'Credit hold released.'),
  {
    name: 'bankruptcy',
    action: 'bankruptcy.record',
    fields: ['filedOn', 'chapter', 'caseNumber'],
    run: async (deps, actor, c, f) => {
      await recordBankruptcy(deps, actor, {
        customer: c.externalId,
        filedOn: text(f, 'filedOn'),
        chapter: text(f, 'chapter'),
        ...optional(f, 'caseNumber'),
      });
      return 'Bankruptcy filing recorded: all contact has stopped.';
    },
  },
  reasonOnly(
    'discharge-bankruptcy',
    'bankruptcy.discharge',
    recordBankruptcyDischarge,
    'Discharge recorded: the open balance is written off and contact has stopped for good.',
  ),
  reasonOnly('dismiss-bankruptcy', 'bankruptcy.dismiss', recordBankruptcyDismissal, 'Dismissal recorded: dunning resumes.'),
  {
    name: 'write-off',
    action: 'invoice.write_off',
    fields: ['invoice', 'reason'],
    run: async (deps, actor, c, f) => {
      const all = text(f, 'invoice') === ALL_INVOICES;
      const result = await writeOff(deps, actor, {
        customer: c.externalId,
        reason: text(f, 'reason'),
        ...(all ? { all: true as const } : { invoice: text(f, 'invoice') }),
      });
      const amounts = result.totals.map((t) => `${toMajorString(BigInt(t.writtenOffMinor), t.currency)} ${t.currency}`).join(' + ');
      return `Written off: ${amounts} (${result.invoices.map((i) => i.number).join(', ')}).`;
    },
  },
  {
    name: 'waive-interest',
    action: 'interest.waive',
    fields: ['invoice', 'reason'],
    run: async (deps, actor, c, f) => {
      await waiveInterest(deps, actor, { customer: c.externalId, invoice: text(f, 'invoice'), reason: text(f, 'reason') });
      return `Late-payment interest and compensation on ${text(f, 'invoice')} waived: still shown, marked waived, no longer claimed.`;
    },
  },
  {
    name: 'settings',
    action: 'customer.update',
    fields: [
      'collector',
      'profile',
      'holidayCalendar',
      'doNotContact',
      'statementSchedule',
      'salesContactEmail',
      'interestRule',
      'interestContractRate',
      'reason',
    ],
    run: async (deps, actor, c, f) => {
      const orNull = (key: string) => (text(f, key) === '' ? null : text(f, key));
      const rule = text(f, 'interestRule');
      const { changed } = await updateCustomerSettings(deps, actor, {
        customer: c.externalId,
        collector: text(f, 'collector') === UNASSIGNED ? null : text(f, 'collector'),
        profile: text(f, 'profile') as 'business',
        holidayCalendar: orNull('holidayCalendar'),
        doNotContact: text(f, 'doNotContact') === 'yes',
        statementSchedule: text(f, 'statementSchedule') as 'monthly',
        salesContactEmail: orNull('salesContactEmail'),
        // Left out of a post that does not carry them (a form of an older page): unchanged.
        ...(rule !== '' && { interestRule: (rule === DEFAULT_RULE ? null : rule) as 'none' }),
        ...(f.interestContractRate !== undefined && { interestContractRateBp: percentToBp(text(f, 'interestContractRate')) }),
        ...optional(f, 'reason'),
      });
      return changed.length === 0
        ? 'Nothing changed.'
        : `Customer settings saved (${changed.map((key) => SETTING_LABELS[key] ?? key).join(', ')}).`;
    },
  },
];

/** "8.5" or "8.50" → 850; empty → null (no contractual rate). */
function percentToBp(value: string): number | null {
  if (value === '') return null;
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(value);
  if (match === null)
    throw new InvalidInput('customer.update', [
      { field: 'interestContractRate', message: 'must be a percentage a year with at most two decimals, e.g. 8.50 (empty: none)' },
    ]);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/**
 * The payment-plan form's instalments: the total split into `count` equal parts (the remainder on
 * the last), due every week, two weeks or month from the first due day.
 */
function planFromForm(f: Form, currency: string): { totalMinor: number; instalments: Array<{ dueOn: string; amountMinor: number }> } {
  const problems: Array<{ field: string; message: string }> = [];
  const parsed = text(f, 'total') === '' ? { ok: false as const, reason: 'is required' } : parseMajor(text(f, 'total'), currency);
  if (!parsed.ok) problems.push({ field: 'total', message: parsed.reason });
  else if (parsed.minor <= 0n || parsed.minor > BigInt(Number.MAX_SAFE_INTEGER))
    problems.push({ field: 'total', message: 'must be more than 0' });
  const count = Number(text(f, 'count'));
  if (!/^\d{1,3}$/.test(text(f, 'count')) || count < 1 || count > 120)
    problems.push({ field: 'count', message: 'must be a whole number from 1 to 120' });
  const first = DateTime.fromISO(text(f, 'firstDueOn'), { zone: 'utc' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text(f, 'firstDueOn')) || !first.isValid)
    problems.push({ field: 'firstDueOn', message: 'must be a date YYYY-MM-DD' });
  const step = PLAN_INTERVALS[text(f, 'every')];
  if (!step) problems.push({ field: 'every', message: `must be one of ${Object.keys(PLAN_INTERVALS).join(', ')}` });
  if (problems.length > 0 || !parsed.ok) throw new InvalidInput('payment_plan.create', problems);
  const totalMinor = Number(parsed.minor);
  const part = Math.floor(totalMinor / count);
  if (part === 0) throw new InvalidInput('payment_plan.create', [{ field: 'count', message: 'leaves instalments of nothing' }]);
  const instalments = Array.from({ length: count }, (_unused, i) => ({
    dueOn: first.plus({ [step!.unit]: step!.size * i }).toISODate()!,
    amountMinor: i === count - 1 ? totalMinor - part * (count - 1) : part,
  }));
  return { totalMinor, instalments };
}

const PLAN_INTERVALS: Readonly<Record<string, { unit: 'weeks' | 'months'; size: number }>> = {
  week: { unit: 'weeks', size: 1 },
  'two weeks': { unit: 'weeks', size: 2 },
  month: { unit: 'months', size: 1 },
};

/** The write-off form's choice for the whole open balance, and the settings form's for no collector. */
const ALL_INVOICES = '*all';
const UNASSIGNED = '*none';
/** The settings form's choice for the business default rule (INTEREST_RULE). */
const DEFAULT_RULE = '*default';
const SETTING_LABELS: Readonly<Record<string, string>> = {
  collector: 'collector',
  profile: 'contact profile',
  holidayCalendar: 'holiday calendar',
  doNotContact: 'do not contact',
  statementSchedule: 'statement schedule',
  salesContactEmail: 'sales contact',
  interestRule: 'late-payment rule',
  interestContractRateBp: 'contractual interest rate',
};

/** Service field names that differ from the form's. */
const FORM_FIELD: Readonly<Record<string, string>> = {
  amountMinor: 'amount',
  totalMinor: 'total',
  instalments: 'count',
  channel: 'template',
  interestContractRateBp: 'interestContractRate',
};
const REASON_CODES = ['not_received', 'pricing', 'quality', 'duplicate', 'already_paid', 'other'];

const customerUrl = (externalId: string) => `/console/customers/${encodeURIComponent(externalId)}`;
const formOf = (request: FastifyRequest): Form => (request.body && typeof request.body === 'object' ? (request.body as Form) : {});

/** Answers a refused action: field errors and state conflicts go back to the page as a flash. */
function refusal(
  helpers: ConsoleHelpers,
  request: FastifyRequest,
  reply: FastifyReply,
  back: string,
  error: unknown,
  form?: CaseForm,
): FastifyReply {
  if (error instanceof PermissionDenied) return helpers.errorPage(request, reply, 403, error.message);
  if (error instanceof NotFound && error.entity === 'customer') return helpers.errorPage(request, reply, 404, `No customer ${error.key}.`);
  if (error instanceof InvalidInput && form) {
    const fields = Object.fromEntries(error.fields.map((f) => [FORM_FIELD[f.field] ?? f.field, f.message]));
    const values = Object.fromEntries(form.fields.map((name) => [name, (formOf(request)[name] ?? '').slice(0, 1_000)]));
    return helpers.flashRedirect(reply, back, 'Nothing was recorded: please correct the form.', true, { form: form.name, fields, values });
  }
  if (error instanceof InvalidInput || error instanceof InvalidTransition || error instanceof NotFound)
    return helpers.flashRedirect(reply, back, error.message, true);
  throw error;
}

/** The console side of the case actions: routes, and the context of the customer page's `actions` partial. */
export function caseConsoleActions(deps: CaseDependencies): ConsoleActions {
  // The reader's zone, known once the console registers these routes (before any page asks formsFor).
  let readerZone: ConsoleHelpers['readerZone'] = () => 'UTC';
  return {
    register(app, helpers) {
      readerZone = helpers.readerZone;
      registerTaskRoutes(app, helpers, deps);
      registerAlertRoutes(app, helpers, deps);
      for (const form of FORMS) {
        app.post<{ Params: { externalId: string } }>(
          `/customers/:externalId/actions/${form.name}`,
          { config: { role: ACTION_ROLES[form.action] } },
          async (request, reply) => {
            const back = customerUrl(request.params.externalId);
            try {
              const customer = await resolveCustomer(deps.prisma, request.params.externalId);
              const done = await form.run(deps, request.principal!.userId, customer, formOf(request));
              return helpers.flashRedirect(reply, back, done);
            } catch (error) {
              return refusal(helpers, request, reply, back, error, form);
            }
          },
        );
      }

      // Send a message now, step 1: the preview (nothing is written); its form POSTs to actions/message.
      app.get<{ Params: { externalId: string }; Querystring: Record<string, unknown> }>(
        '/customers/:externalId/message',
        { config: { role: ACTION_ROLES['message.send'] } },
        async (request, reply) => {
          const back = customerUrl(request.params.externalId);
          const query = request.query;
          const unknown = Object.keys(query).find((key) => key !== 'template' && key !== 'requestId');
          if (unknown)
            return helpers.errorPage(request, reply, 400, `The ${unknown} parameter is not known here (use template and requestId).`);
          const value = (key: string) => (typeof query[key] === 'string' ? query[key] : '');
          const [channel = '', template = ''] = value('template').split('|');
          if (!['email', 'sms'].includes(channel) || template === '')
            return helpers.errorPage(request, reply, 400, 'The template parameter must name a channel and a template (email|reminder-id).');
          try {
            const composed = await previewMessage(deps, request.principal!.userId, {
              customer: request.params.externalId,
              channel: channel as 'email',
              template,
              requestId: value('requestId'),
            });
            return helpers.page(request, reply, 'customer-message', {
              title: `Send ${template}`,
              nav: 'worklist',
              back,
              externalId: request.params.externalId,
              channel: channel === 'sms' ? 'SMS' : 'Email',
              template,
              choice: value('template'),
              requestId: value('requestId'),
              sendUrl: `${back}/actions/message`,
              refusal: composed.ok ? null : composed.refusal,
              draft: composed.ok ? composed.draft : null,
              outsideWindow: composed.ok ? composed.outsideWindow : null,
              invoices: composed.ok ? composed.invoices.map((i) => i.number).sort() : [],
            });
          } catch (error) {
            if (error instanceof InvalidInput) {
              const fields = error.fields.map((f) => `${f.field === 'channel' ? 'template' : f.field}: ${f.message}`).join('; ');
              return helpers.errorPage(request, reply, 400, `The preview could not be made (${fields}).`);
            }
            return refusal(helpers, request, reply, back, error);
          }
        },
      );

      app.get<{ Params: { externalId: string }; Querystring: { format?: string } }>(
        '/customers/:externalId/case-file',
        { config: { role: ACTION_ROLES['case_file.export'] } },
        async (request, reply) => {
          try {
            const file = await exportCaseFile(deps, request.principal!.userId, { customer: request.params.externalId });
            if (request.query.format === 'json') {
              return reply
                .type('application/json; charset=utf-8')
                .header(
                  'content-disposition',
                  `attachment; filename="case-file-${file.json.customer.externalId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json"`,
                )
                .send(`${JSON.stringify(file.json, null, 2)}\n`);
            }
            // A standalone document with its own inline stylesheet and nothing else.
            return reply
              .type('text/html; charset=utf-8')
              .header('cache-control', 'no-store')
              .header(
                'content-security-policy',
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
              )
              .send(file.html);
          } catch (error) {
            return refusal(helpers, request, reply, customerUrl(request.params.externalId), error);
          }
        },
      );

      app.post<{ Params: { id: string } }>(
        '/alerts/:id/acknowledge',
        { config: { role: ACTION_ROLES['alert.acknowledge'] } },
        async (request, reply) => {
          try {
            await acknowledgeAlert(deps, request.principal!.userId, { alertId: request.params.id });
            return helpers.flashRedirect(
              reply,
              '/console/dashboard',
              'Alert acknowledged: it will not be raised again while the condition lasts (at most 30 days).',
            );
          } catch (error) {
            return refusal(helpers, request, reply, '/console/dashboard', error);
          }
        },
      );
    },

    async formsFor(request, { id, externalId }) {
      const principal = request.principal;
      if (principal === null) return null;
      const customer = await loadActionFormRows(deps.prisma, id);
      if (customer === null) return null;
      const flash = flashOf(request);
      const today = DateTime.fromJSDate(deps.clock()).setZone(customer.timeZone).toISODate()!;
      const balances = new Map<string, bigint>();
      for (const i of customer.invoices) balances.set(i.currency, (balances.get(i.currency) ?? 0n) + i.openBalanceMinor);
      const planCurrency = balances.has(customer.currency) ? customer.currency : ([...balances.keys()][0] ?? customer.currency);
      const defaults: Record<string, Record<string, string>> = {
        promise: { currency: customer.currency, promisedOn: today },
        paymentPlan: {
          currency: planCurrency,
          total: toMajorString(balances.get(planCurrency) ?? 0n, planCurrency),
          count: '3',
          firstDueOn: today,
          every: 'month',
        },
        message: { requestId: randomUUID() },
        writeOff: { invoice: ALL_INVOICES },
        settings: {
          collector: customer.assignedCollector?.email ?? UNASSIGNED,
          profile: customer.profile,
          holidayCalendar: customer.holidayCalendar ?? '',
          doNotContact: customer.doNotContact ? 'yes' : 'no',
          statementSchedule: customer.statementSchedule,
          salesContactEmail: customer.salesContactEmail ?? '',
          interestRule: customer.interestRule ?? DEFAULT_RULE,
          interestContractRate: customer.interestContractRateBp === null ? '' : percentText(customer.interestContractRateBp),
        },
      };
      // Each form's errors (next to its fields), errors of fields it does not show, and its values;
      // keyed in camelCase (`releaseLegalHold`) for the templates.
      const f = Object.fromEntries(
        FORMS.map((form) => {
          const mine = flash?.form?.form === form.name ? flash.form : undefined;
          const errors = mine?.fields ?? {};
          return [
            form.name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()),
            {
              url: `${customerUrl(externalId)}/actions/${form.name}`,
              errors,
              other: Object.entries(errors)
                .filter(([field]) => !form.fields.includes(field))
                .map(([field, message]) => `${field}: ${message}`),
              values: { ...defaults[form.name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())], ...(mine?.values ?? {}) },
            },
          ];
        }),
      );
      const state = customer.collectionCase?.state ?? 'active';
      const may = (action: CaseAction) => mayPerform(principal.role, action);
      const option = (value: string) => ({ value, label: value.replaceAll('_', ' ') });
      const owing = customer.invoices.filter((i) => i.openBalanceMinor > 0n);
      const users = may('customer.update') ? await listUsers(deps.prisma) : [];
      // Read-only for everyone (collectors included); waiving is a manager's.
      const claims = await loadClaims(autoCommit(deps.prisma), { asOf: today, customerIds: [id], ...deps.interest });
      const waivers = await findUsersByIds(
        deps.prisma,
        claims.flatMap((c) => (c.waived ? [c.waived.by] : [])),
      );
      const claimTotals = new Map<string, { interest: bigint; compensation: bigint }>();
      for (const c of claims.filter((claim) => claim.waived === null)) {
        const t = claimTotals.get(c.currency) ?? { interest: 0n, compensation: 0n };
        t.interest += c.interestMinor ?? 0n;
        t.compensation += c.compensation?.minor ?? 0n;
        claimTotals.set(c.currency, t);
      }
      return {
        f,
        today,
        timeZone: customer.timeZone,
        outcomes: CALL_OUTCOMES.map(option),
        reasonCodes: REASON_CODES.map(option),
        undisputed: customer.invoices.filter((i) => i.disputes.length === 0).map((i) => ({ value: i.number, label: i.number })),
        disputed: customer.invoices.filter((i) => i.disputes.length > 0).map((i) => ({ value: i.number, label: i.number })),
        canPause: state === 'active',
        canResume: state === 'paused',
        manager:
          may('legal_hold.place') ||
          may('credit_hold.place') ||
          may('bankruptcy.record') ||
          may('case_file.export') ||
          may('customer.update') ||
          may('interest.waive'),
        writeOff:
          may('invoice.write_off') && owing.length > 0
            ? {
                invoices: [
                  { value: ALL_INVOICES, label: 'Whole open balance' },
                  ...owing.map((i) => ({
                    value: i.number,
                    label: `${i.number} (${toMajorString(i.openBalanceMinor, i.currency)} ${i.currency})`,
                  })),
                ],
              }
            : null,
        settings: may('customer.update')
          ? {
              collectors: [
                { value: UNASSIGNED, label: 'Unassigned' },
                ...users.map((u) => ({ value: u.email, label: `${u.name} (${u.email})` })),
              ],
              profiles: CUSTOMER_PROFILES.map(option),
              schedules: STATEMENT_SCHEDULES.map(option),
              yesNo: [
                { value: 'no', label: 'no' },
                { value: 'yes', label: 'yes: no automated contact at all' },
              ],
              interestRules: [
                { value: DEFAULT_RULE, label: `business default (${deps.interest.settings.defaultRule ?? 'none'})` },
                { value: 'none', label: 'none: no statutory interest (a contractual rate still applies)' },
                ...RULE_IDS.map((value) => ({ value, label: value })),
              ],
            }
          : null,
        legal: may('legal_hold.place') ? { held: customer.legalHolds.length > 0 } : null,
        credit: may('credit_hold.place') ? { held: customer.creditHolds.length > 0 } : null,
        bankruptcy: may('bankruptcy.record') ? { open: customer.bankruptcyFilings.length > 0 } : null,
        caseFileUrl: may('case_file.export') ? `${customerUrl(externalId)}/case-file` : null,
        interest: {
          asOf: today,
          claims: claims.map((c) => ({
            invoice: c.invoiceNumber,
            paid: c.outstandingMinor === 0n,
            daysLate: c.daysLate,
            rule: c.basis,
            rates: [...new Set(c.periods.map((p) => `${percentText(p.rateBp)}%`))].join(', '),
            interest: c.interestMinor === null ? null : amount(c.interestMinor, c.currency),
            gaps: c.gaps.join('; '),
            compensation: c.compensation === null ? null : amount(c.compensation.minor, c.currency),
            waived: c.waived ? `waived by ${waivers.get(c.waived.by) ?? c.waived.by}: ${c.waived.reason}` : null,
          })),
          totals: [...claimTotals]
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([currency, t]) => ({ interest: amount(t.interest, currency), compensation: amount(t.compensation, currency) })),
          waivable: may('interest.waive')
            ? claims.filter((c) => c.waived === null).map((c) => ({ value: c.invoiceNumber, label: c.invoiceNumber }))
            : [],
        },
        /** Context of the `open-tasks` partial: `{{> open-tasks actions.openTasks}}`. */
        openTasks: await customerOpenTasks(deps, request, { id, externalId }, readerZone(request)),
        openPromise: customer.promises[0]
          ? {
              id: customer.promises[0].id,
              label: `${toMajorString(customer.promises[0].amountMinor, customer.promises[0].currency)} ${customer.promises[0].currency} by ${customer.promises[0].promisedOn.toISOString().slice(0, 10)}`,
            }
          : null,
        promiseMaxDays: deps.promiseMaxDays,
        latestPromiseDay: DateTime.fromISO(today).plus({ days: deps.promiseMaxDays }).toISODate(),
        message: may('message.send')
          ? {
              url: `${customerUrl(externalId)}/message`,
              templates: messageTemplates(deps, customer).map((t) => ({
                value: `${t.channel}|${t.template}`,
                label: `${t.channel === 'sms' ? 'SMS' : 'Email'}: ${t.template} (step ${t.steps.join(', ')}; ${t.locale})`,
              })),
            }
          : null,
        plan:
          may('payment_plan.create') && customer.paymentPlans.length === 0 && balances.size > 0
            ? {
                currencies: [...balances.keys()].sort().map((value) => ({ value, label: value })),
                every: Object.keys(PLAN_INTERVALS).map(option),
              }
            : null,
        cancelPlan: may('payment_plan.cancel') && customer.paymentPlans.length > 0,
      };
    },
  };
}
