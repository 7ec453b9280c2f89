import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { daysPastDue } from '../../../src/core/aging.js';
import { addDays, localDateOf } from '../../../src/core/dates.js';
import { decide } from '../../../src/core/decide.js';
import type { PlannedAction } from '../../../src/core/decision.js';
import type { CaseInput, Dispute, OpenInvoice } from '../../../src/core/domain.js';
import type { Policy } from '../../../src/core/policy.js';
import { defaultDunningRules } from '../../../src/core/rules.js';
import { forecastCase } from '../../../src/dunning/forecast.js';
import { defaultPolicy } from '../../../src/workflows/policies/default.policy.js';
import { keyAccountPolicy } from '../../../src/workflows/policies/key-account.policy.js';
import { aCase, aCustomer, recordOf } from '../../support/builders.js';

// Properties of the dunning ladder over generated ledgers: staggered invoices in several zones and
// currencies, payments (whole and part), disputes opened and resolved, customers with and without
// SMS. A small worker loop runs the decision core the way the scheduler does (at each
// `nextLookAt`, and at once when the ledger changes) and the properties are checked on everything
// it did.

const START = DateTime.fromISO('2026-03-02T00:00:00Z', { zone: 'utc' });
const DAYS = 160;
const rules = defaultDunningRules;

type LedgerEvent = { at: DateTime; kind: 'pay' | 'part' | 'dispute' | 'resolve'; invoiceId: string };

interface Ledger {
  zone: string;
  policy: Policy;
  sms: boolean;
  invoices: OpenInvoice[];
  events: LedgerEvent[];
}

interface Done {
  at: DateTime;
  action: PlannedAction;
  /** The overdue invoices still chased when it was decided. */
  chasedOverdue: string[];
}

const ledgers = fc
  .record({
    zone: fc.constantFrom('Europe/Bucharest', 'America/Los_Angeles', 'Pacific/Auckland', 'Asia/Shanghai', 'UTC'),
    policy: fc.constantFrom(defaultPolicy, keyAccountPolicy),
    sms: fc.boolean(),
    invoices: fc.array(
      fc.record({
        dueIn: fc.integer({ min: -110, max: 100 }),
        amount: fc.integer({ min: 1_000, max: 900_000 }),
        currency: fc.constantFrom('EUR', 'EUR', 'USD'),
      }),
      { minLength: 1, maxLength: 7 },
    ),
    events: fc.array(
      fc.record({
        day: fc.integer({ min: 0, max: DAYS }),
        minute: fc.integer({ min: 0, max: 24 * 60 - 1 }),
        kind: fc.constantFrom<LedgerEvent['kind']>('pay', 'pay', 'part', 'dispute', 'resolve'),
        target: fc.nat(),
      }),
      { maxLength: 8 },
    ),
  })
  .map(({ zone, policy, sms, invoices, events }): Ledger => {
    const today = localDateOf(START, zone);
    const built = invoices.map((spec, i) => {
      const dueOn = addDays(today, spec.dueIn);
      return {
        id: `inv-${i}`,
        number: `INV-${i}`,
        currency: spec.currency,
        amountMinor: spec.amount,
        balanceMinor: spec.amount,
        issuedOn: addDays(dueOn, -30),
        dueOn,
        dunningCycle: 1,
      };
    });
    return {
      zone,
      policy,
      sms,
      invoices: built,
      events: events
        .map((e) => ({
          at: START.setZone(zone).plus({ days: e.day, minutes: e.minute }),
          kind: e.kind,
          invoiceId: built[e.target % built.length]!.id,
        }))
        .sort((a, b) => a.at.toMillis() - b.at.toMillis()),
    };
  });

function applyEvent(state: { invoices: OpenInvoice[]; disputes: Dispute[] }, event: LedgerEvent): void {
  const invoice = state.invoices.find((i) => i.id === event.invoiceId);
  if (!invoice) return;
  if (event.kind === 'pay') invoice.balanceMinor = 0;
  if (event.kind === 'part') invoice.balanceMinor = Math.floor(invoice.balanceMinor / 2);
  if (event.kind === 'dispute' && !state.disputes.some((d) => d.invoiceId === invoice.id && d.status === 'open')) {
    state.disputes.push({ id: `dsp-${state.disputes.length}`, invoiceId: invoice.id, status: 'open' });
  }
  if (event.kind === 'resolve') for (const d of state.disputes) if (d.invoiceId === invoice.id) d.status = 'resolved';
}

function chasedOverdue(input: CaseInput): string[] {
  const disputed = new Set(input.disputes.filter((d) => d.status === 'open').map((d) => d.invoiceId));
  return input.invoices
    .filter((i) => i.balanceMinor > 0 && !disputed.has(i.id) && daysPastDue(i.dueOn, input.now, input.customer.timeZone) >= 1)
    .map((i) => i.id)
    .sort();
}

/** A moment the worker looked at the case: how old the oldest overdue invoice still chased was. */
interface Look {
  at: DateTime;
  oldestDaysPastDue: number | null;
  legalHold: boolean;
}

/** The worker: decides at each next-look time, and at once after a ledger change; records what it did. */
function work(ledger: Ledger, withEvents = true, looks: Look[] = []): Done[] {
  const state = { invoices: ledger.invoices.map((i) => ({ ...i })), disputes: [] as Dispute[] };
  let input: CaseInput = aCase({
    now: START.setZone(ledger.zone),
    customer: aCustomer({ timeZone: ledger.zone, policyId: ledger.policy.id, consent: { smsConsent: ledger.sms } }),
  });
  const events = withEvents ? [...ledger.events] : [];
  const until = START.plus({ days: DAYS });
  const done: Done[] = [];
  for (let guard = 0; input.now < until && guard < 2_000; guard++) {
    while (events.length > 0 && events[0]!.at <= input.now) applyEvent(state, events.shift()!);
    input = { ...input, invoices: state.invoices.map((i) => ({ ...i })), disputes: state.disputes.map((d) => ({ ...d })) };
    const decision = decide(input, ledger.policy, rules);
    const overdue = chasedOverdue(input);
    const ages = input.invoices.filter((i) => overdue.includes(i.id)).map((i) => daysPastDue(i.dueOn, input.now, ledger.zone));
    looks.push({ at: input.now, oldestDaysPastDue: ages.length > 0 ? Math.max(...ages) : null, legalHold: input.holds.legalHold });
    for (const action of decision.actions) done.push({ at: input.now, action, chasedOverdue: overdue });
    const has = (type: string) => decision.actions.some((a) => a.type === type);
    const nextEvent = events[0]?.at;
    const next = nextEvent && nextEvent < decision.nextLookAt ? nextEvent : decision.nextLookAt;
    expect(next > input.now).toBe(true);
    input = {
      ...input,
      history: [...input.history, ...decision.actions.map((a) => ({ ...recordOf(a, input.now), status: 'sent' as const }))],
      holds: {
        ...input.holds,
        legalHold: input.holds.legalHold || has('legal_hold'),
        creditHold: input.holds.creditHold || has('credit_hold'),
      },
      ladder: { cycle: decision.ladder.cycle, open: decision.ladder.open },
      now: next,
    };
  }
  return done;
}

const isMessage = (d: Done) => d.action.type === 'email' || d.action.type === 'sms';
const stageOf = (policy: Policy, d: Done) => policy.steps.find((s) => s.id === d.action.stepId)?.stage ?? -1;
const owedChangedBetween = (ledger: Ledger, from: DateTime, to: DateTime) =>
  ledger.events.some((e) => e.kind !== 'resolve' && e.at > from && e.at <= to);

const RUNS = { numRuns: 300 };

// Generated ledgers take seconds on a busy machine; the default 5 s is for example-based tests.
describe('the ladder on generated ledgers', { timeout: 120_000 }, () => {
  it('never steps back while what is owed is unchanged', () => {
    fc.assert(
      fc.property(ledgers, (ledger) => {
        const messages = work(ledger).filter(isMessage);
        for (let k = 1; k < messages.length; k++) {
          const [before, after] = [messages[k - 1]!, messages[k]!];
          if (stageOf(ledger.policy, after) < stageOf(ledger.policy, before)) {
            expect(owedChangedBetween(ledger, before.at, after.at), `${before.action.stepId} then ${after.action.stepId}`).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it('fires each step once per cycle, places each hold once and announces it once', () => {
    fc.assert(
      fc.property(ledgers, (ledger) => {
        const done = work(ledger);
        const keys = done.map((d) => d.action.idempotencyKey);
        expect(new Set(keys).size).toBe(keys.length);
        const ladder = done.filter((d) => d.action.cycle !== null).map((d) => `${d.action.cycle}/${d.action.type}/${d.action.stepId}`);
        expect(new Set(ladder).size).toBe(ladder.length);
        // Nothing releases a hold here, so a hold is placed at most once in the whole run.
        expect(done.filter((d) => d.action.type === 'credit_hold').length).toBeLessThanOrEqual(1);
        expect(done.filter((d) => d.action.type === 'legal_hold').length).toBeLessThanOrEqual(1);
        const holdNotices = done.filter((d) => isMessage(d) && d.action.stepId.startsWith('credit-hold') && d.action.type === 'email');
        expect(new Set(holdNotices.map((d) => d.action.cycle)).size).toBe(holdNotices.length);
      }),
      RUNS,
    );
  });

  it('names every overdue invoice still chased in every reminder; courtesy only outside a cycle', () => {
    fc.assert(
      fc.property(ledgers, (ledger) => {
        for (const d of work(ledger).filter(isMessage)) {
          const covered = d.action.invoices.map((i) => i.invoiceId).sort();
          if (d.action.cycle !== null) expect(covered).toEqual(d.chasedOverdue);
          else expect(d.chasedOverdue).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('keeps reminders apart and within the caps', () => {
    fc.assert(
      fc.property(ledgers, (ledger) => {
        const messages = work(ledger).filter(isMessage);
        const day = (d: Done) => localDateOf(d.at, ledger.zone);
        for (let k = 1; k < messages.length; k++) {
          const [before, after] = [messages[k - 1]!, messages[k]!];
          const sameStep =
            before.action.cycle === after.action.cycle && before.action.stepId === after.action.stepId && after.action.cycle !== null;
          if (!sameStep) expect(day(after) >= addDays(day(before), rules.caps.minDaysBetweenReminders)).toBe(true);
        }
        const emails = messages.filter((d) => d.action.type === 'email').map(day);
        expect(new Set(emails).size).toBe(emails.length);
        for (const d of messages) {
          const inSevenDays = messages.filter((o) => o.at <= d.at && o.at.setZone(ledger.zone).plus({ days: 7 }) > d.at);
          expect(inSevenDays.length).toBeLessThanOrEqual(rules.caps.contactsPer7Days);
        }
      }),
      RUNS,
    );
  });

  it('keeps chasing: no pause longer than the widest gap between steps while something overdue is chased', () => {
    // 30 days between the furthest steps, 4 of spacing, a weekend and a night (the step after a
    // payment is counted from the oldest invoice still chased, so from the payment at the latest).
    const longest = 30 + rules.caps.minDaysBetweenReminders + 3;
    fc.assert(
      fc.property(ledgers, (ledger) => {
        const looks: Look[] = [];
        const chasing = work(ledger, true, looks).filter((d) => d.action.cycle !== null);
        const first = ledger.policy.steps.find((s) => s.offsetDays > 0)!.offsetDays;
        let since: DateTime | null = null;
        for (const look of looks) {
          const chased = look.oldestDaysPastDue !== null && look.oldestDaysPastDue >= first && !look.legalHold;
          if (!chased) {
            since = null;
            continue;
          }
          since ??= look.at;
          // A change in what is owed re-sets the ladder to the oldest invoice still chased.
          const changed = ledger.events.filter((e) => e.kind !== 'resolve' && e.at <= look.at).at(-1)?.at;
          const last = chasing.filter((m) => m.at < look.at).at(-1)?.at;
          const quietFrom = [since, last, changed].reduce<DateTime>((a, b) => (b && b > a ? b : a), since);
          expect(look.at.diff(quietFrom, 'days').days, `silent since ${quietFrom.toISO()}`).toBeLessThanOrEqual(longest);
        }
      }),
      RUNS,
    );
  });

  it('does nothing after a legal hold', () => {
    fc.assert(
      fc.property(ledgers, (ledger) => {
        const done = work(ledger);
        const hold = done.find((d) => d.action.type === 'legal_hold');
        if (hold) expect(done.filter((d) => d.at > hold.at)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('the forecast (`arrears plan --days`) plans what the worker then does when no money arrives', () => {
    fc.assert(
      fc.property(ledgers, (ledger) => {
        const worker = work(ledger, false).map((d) => `${d.at.toISO()} ${d.action.idempotencyKey}`);
        const input = aCase({
          now: START.setZone(ledger.zone),
          customer: aCustomer({ timeZone: ledger.zone, policyId: ledger.policy.id, consent: { smsConsent: ledger.sms } }),
          invoices: ledger.invoices,
        });
        const planned = forecastCase(input, START.plus({ days: DAYS }).minus({ milliseconds: 1 }), (i) =>
          decide(i, ledger.policy, rules),
        ).flatMap((entry) => entry.actions.map((a) => `${entry.at.toISO()} ${a.idempotencyKey}`));
        expect(planned).toEqual(worker);
      }),
      { numRuns: 100 },
    );
  });
});
