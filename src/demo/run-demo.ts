import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DateTime } from 'luxon';
import type { Runtime } from '../app/runtime.js';
import { replyDependencies } from '../app/services.js';
import { startWorker } from '../app/worker.js';
import type { CaseDependencies } from '../cases/case-action.js';
import { dateOf, type Clock } from '../core/clock.js';
import { addNote, logCall } from '../cases/call-log.service.js';
import { openDispute, resolveDispute } from '../cases/dispute.service.js';
import { recordPromise } from '../cases/promise.service.js';
import { updateCustomerSettings } from '../cases/customer-settings.service.js';
import { findOpenPromises } from '../db/promises.repository.js';
import { runCaseSweep } from '../cases/sweep.js';
import { handleInboundSms, type ConsentDependencies } from '../consent/consent.service.js';
import { recordEmailBounce } from '../consent/delivery-status.service.js';
import { findOpenCallTasksDue } from '../db/call-tasks.repository.js';
import { findNextLookAfter } from '../db/cases.repository.js';
import { findContactDelivery } from '../db/contacts.repository.js';
import { findCustomersByExternalIds } from '../db/customers.repository.js';
import { countDemoOutcomes, emptyDatabase, findOpenInvoicesWithDisputes } from '../db/demo.repository.js';
import { upsertExchangeRates } from '../db/exchange-rates.repository.js';
import { findActiveLegalHold } from '../db/holds.repository.js';
import { parseRatesCsv } from '../ingest/exchange-rates.js';
import { runImport, type ImportKind, type ImportSummary } from '../ingest/run-import.js';
import { runAtAndWait, runTickAndWait } from '../jobs/run-tick.js';
import { addUser } from '../users/user.service.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';
import {
  addDays,
  answerCall,
  between,
  disputeOutcome,
  DISPUTE_REASONS,
  FOLLOW_UP_NOTES,
  reactToReminder,
  unpromptedPayDay,
  type Draw,
} from './behaviour.js';
import { readConversations, type ConversationMessage } from './conversation.js';
import { demoFigures, type DemoFigures } from './figures.js';
import { random } from './random.js';
import { answerLastReminders } from './replies.js';
import {
  customersCsv,
  invoicesCsv,
  paymentsCsv,
  sampleLedger,
  type DemoCustomer,
  type DemoInvoice,
  type DemoPayment,
} from './sample-ledger.js';

export interface DemoOptions {
  /** The last simulated instant: the demo simulates the `days` that end here (the CLI: now). */
  end: DateTime;
  days: number;
  customers: number;
  /** Seed of the ledger and of the customers' behaviour (default: the bundled ledger's). */
  seed?: number;
  /** Called after each simulated tick (for a progress line). */
  onTick?: (at: DateTime, ticks: number) => void;
}

/** Console logins the demo creates (its database is private and local). */
export const DEMO_USERS = [
  { email: 'collector@demo.example', role: 'collector' },
  { email: 'manager@demo.example', role: 'manager' },
  { email: 'admin@demo.example', role: 'admin' },
] as const;
export const DEMO_PASSWORD = 'arrears-demo-password';
const COLLECTOR = DEMO_USERS[0].email;
const MANAGER = DEMO_USERS[1].email;

async function addDemoUsers(runtime: Runtime): Promise<void> {
  for (const user of DEMO_USERS) await addUser(runtime, { ...user, password: DEMO_PASSWORD }, 'demo');
}

/** What the simulated customers and the collector did (besides what the product did). */
export interface DemoActivity {
  invoicesIssued: number;
  payments: number;
  disputesOpened: number;
  disputesResolved: number;
  promises: number;
  calls: number;
  notes: number;
  bounces: number;
  smsStops: number;
}

export interface DemoSummary {
  firstDay: string;
  lastDay: string;
  ticks: number;
  imports: Array<{ kind: ImportKind; files: number; rows: number; created: number; updated: number; rejected: number }>;
  activity: DemoActivity;
  /** The replies customers sent at the end, through the reply path. */
  replies: Array<{ what: string; customer: string | null; classification: string; actions: string[] }>;
  contacts: Array<{ step: string; channel: string; status: string; count: number }>;
  creditHolds: number;
  legalHolds: number;
  alerts: number;
  callTasks: number;
  figures: DemoFigures;
  ledgerDir: string;
}

/**
 * Customers and the collector act once a day in each half of the world: at 05:00 UTC (08:00 in
 * Istanbul, 13:00 in Shanghai) and at 15:00 UTC (08:00 or 07:00 in Los Angeles, late morning in
 * New York). Reminders open at 08:00 local, so these moments often share a tick with them.
 */
const BANDS: Array<{ hourUtc: number; zones: readonly string[] }> = [
  { hourUtc: 5, zones: ['Asia/Shanghai', 'Europe/Bucharest', 'Europe/Istanbul'] },
  { hourUtc: 15, zones: ['America/New_York', 'America/Chicago', 'America/Los_Angeles'] },
];

/** A simulated customer: the ledger's description, its random stream and what it has decided. */
interface Actor {
  customer: DemoCustomer;
  id: string;
  draw: Draw;
  /** Invoice external id → the day it will be paid unprompted. */
  payInvoiceOn: Map<string, string>;
  /** The day it will pay everything overdue (after a reminder or a promise); null = not planned. */
  payOverdueOn: string | null;
  /** The day it will pay everything due by then (after a courtesy reminder). */
  payDueOn: string | null;
  disputed: boolean;
  resolveDisputeOn: { day: string; invoice: string; thenPays: boolean } | null;
  bounced: boolean;
  stopped: boolean;
  seenUntil: number;
}

interface OpenInvoice {
  externalId: string;
  number: string;
  balanceMinor: number;
  dueOn: string;
  disputed: boolean;
}

/**
 * The demo: a small business's last `days` days, ending at `options.end`, run through the real
 * product. Invoices are issued through the CSV import on their issue day; customers pay through
 * the payments import (cash application) when their habit says so or some days after a reminder
 * they actually received; some dispute, promise to pay (and keep it or not), bounce or text STOP
 * (through the services the webhooks use); a collector works the call tasks and leaves notes
 * (through the case services). Between those moments a simulated clock ticks at each instant a
 * case next needs looking at — the same ticks, steps, sweeps, statements and deliveries the
 * worker runs, only faster than the calendar.
 */
/**
 * Sample reference rates in the ECB file's shape (per 1 EUR), kept as ledger/<day>-rates.csv and
 * read by the same parser as `arrears import rates`, so the worklist's ranking and the totals in
 * BASE_CURRENCY have a rate for every demo currency. Round figures, not market data.
 */
const DEMO_RATES = { USD: '1.08', GBP: '0.85', CNY: '7.8', RON: '4.97', TRY: '37.5', JPY: '162', HUF: '395' };

async function importDemoRates(runtime: Runtime, ledgerDir: string, day: string, now: Date): Promise<void> {
  // Also a year back, so amounts fixed in euros on the opening ledger's older due dates (the
  // late-payment compensation) convert too. Newest first, as the ECB's file is.
  const yearBack = DateTime.fromISO(day, { zone: 'utc' }).minus({ years: 1 }).toISODate()!;
  const values = Object.values(DEMO_RATES).join(',');
  const csv = `Date,${Object.keys(DEMO_RATES).join(',')}\n${day},${values}\n${yearBack},${values}\n`;
  await writeFile(path.join(ledgerDir, `${day}-rates.csv`), csv);
  const base = runtime.config.baseCurrency;
  const parsed = await parseRatesCsv(Readable.from([csv]), base, 'demo sample rates (not market data)');
  await runtime.db.transaction((sql) => upsertExchangeRates(sql, base, parsed.rates, now));
}

export async function runDemo(runtime: Runtime, options: DemoOptions): Promise<DemoSummary> {
  const { prisma, config } = runtime;
  const end = options.end.toUTC();
  const sql = runtime.db;
  let now = end.minus({ days: options.days - 1 }).startOf('day');
  // The product's own worker, services and case actions, built by the composition root on the
  // simulated clock instead of the wall clock.
  const simulated: Clock = { now: () => now };
  const clock = dateOf(simulated);
  const { services, cases: caseServices, queues } = await startWorker({ ...runtime, clock: simulated }, { schedule: false });
  const policies: PolicyCatalog = services.evaluation.policies;
  const cases: CaseDependencies = caseServices.cases;
  const consent: ConsentDependencies = { prisma, clock };

  const activity: DemoActivity = {
    invoicesIssued: 0,
    payments: 0,
    disputesOpened: 0,
    disputesResolved: 0,
    promises: 0,
    calls: 0,
    notes: 0,
    bounces: 0,
    smsStops: 0,
  };
  const importTotals = new Map<ImportKind, DemoSummary['imports'][number]>();
  const ledgerDir = path.join(config.dataDir, 'ledger');

  // The demo owns its database: callers only run it against the embedded Postgres (or with an
  // explicit `--reset` on a database of their own).
  await emptyDatabase(sql);
  const ledger = sampleLedger(end, options.days, options.customers, options.seed);
  await rm(ledgerDir, { recursive: true, force: true });
  await mkdir(ledgerDir, { recursive: true });
  const importFile = async (kind: ImportKind, csv: string, day: string) => {
    // Each import's file is kept, as an ERP export would be: ledger/<day>-<kind>.csv
    const name = `${day}-${kind}.csv`;
    await writeFile(path.join(ledgerDir, name), csv);
    const summary: ImportSummary = await runImport({
      kind,
      input: Readable.from([csv]),
      db: sql,
      now: clock(),
      knownPolicies: new Set(policies.keys()),
    });
    const total = importTotals.get(kind) ?? { kind, files: 0, rows: 0, created: 0, updated: 0, rejected: 0 };
    importTotals.set(kind, {
      kind,
      files: total.files + 1,
      rows: total.rows + summary.rows,
      created: total.created + summary.created,
      updated: total.updated + summary.updated,
      rejected: total.rejected + summary.rejected,
    });
    return summary;
  };

  const firstDay = ledger.firstDay;
  // The collector first: the customers file assigns every customer to them (and their statement schedule).
  await addDemoUsers(runtime);
  await importFile('customers', customersCsv(ledger.customers, COLLECTOR), firstDay);
  // Romanian and Turkish contracts claim statutory late-payment interest from the final notice on.
  for (const customer of ledger.customers.filter((c) => c.interestRule !== null)) {
    await updateCustomerSettings(cases, MANAGER, {
      customer: customer.externalId,
      interestRule: customer.interestRule,
      reason: "contract governed by the customer country's late-payment law",
    });
  }
  await importDemoRates(runtime, ledgerDir, firstDay, clock());
  const opening = ledger.invoices.filter((i) => i.issuedOn < firstDay);
  await importFile('invoices', invoicesCsv(opening), firstDay);

  const ids = await findCustomersByExternalIds(
    sql,
    ledger.customers.map((c) => c.externalId),
  );
  const actors = new Map<string, Actor>();
  for (const customer of ledger.customers) {
    actors.set(customer.externalId, {
      customer,
      id: ids.get(customer.externalId)!.id,
      draw: random(customer.seed),
      payInvoiceOn: new Map(),
      payOverdueOn: null,
      payDueOn: null,
      disputed: false,
      resolveDisputeOn: null,
      bounced: false,
      stopped: false,
      seenUntil: 0,
    });
  }
  const planInvoice = (invoice: DemoInvoice) => {
    const actor = actors.get(invoice.customerExternalId)!;
    const day = unpromptedPayDay(actor.customer, invoice, actor.draw);
    if (day) actor.payInvoiceOn.set(invoice.externalId, day < firstDay ? firstDay : day);
  };
  for (const invoice of opening) planInvoice(invoice);
  const issuedOn = new Map<string, DemoInvoice[]>();
  for (const invoice of ledger.invoices.filter((i) => i.issuedOn >= firstDay)) {
    issuedOn.set(invoice.issuedOn, [...(issuedOn.get(invoice.issuedOn) ?? []), invoice]);
  }

  const openInvoices = async (customerId: string): Promise<OpenInvoice[]> =>
    (await findOpenInvoicesWithDisputes(sql, customerId)).map((r) => ({ ...r, balanceMinor: Number(r.balanceMinor) }));
  const inLegalHold = async (customerId: string) => (await findActiveLegalHold(prisma, customerId)) !== null;

  let paymentSeq = 0;
  let smsSeq = 0;

  /** One band's working moment: what its customers and the collector do, then the sweep and statements. */
  const workingMoment = async (at: DateTime, zones: readonly string[]) => {
    const band = [...actors.values()].filter((a) => zones.includes(a.customer.timeZone));
    if (band.length === 0) return;
    const conversations = await readConversations(sql, policies, {
      customerIds: band.map((a) => a.id),
      since: new Date(Math.min(...band.map((a) => a.seenUntil))),
    });
    const payments: DemoPayment[] = [];

    for (const actor of band) {
      const { customer } = actor;
      const local = at.setZone(customer.timeZone);
      const today = local.toISODate()!;
      const weekday = local.weekday <= 5;
      const fresh = (conversations.get(actor.id) ?? []).filter((m) => m.at.getTime() > actor.seenUntil);
      // Messages decided at this very instant come from the tick that follows: read them next time.
      actor.seenUntil = at.toMillis() - 1;
      for (const message of fresh) await receive(actor, message, today);

      if (actor.resolveDisputeOn && actor.resolveDisputeOn.day <= today && weekday) {
        const { invoice, thenPays } = actor.resolveDisputeOn;
        actor.resolveDisputeOn = null;
        await resolveDispute(cases, COLLECTOR, {
          customer: customer.externalId,
          invoice,
          resolution: thenPays ? 'Proof of delivery sent; customer accepts the invoice.' : 'Customer accepts the invoice after a call.',
        });
        activity.disputesResolved += 1;
        if (thenPays) actor.payOverdueOn = minDay(actor.payOverdueOn, addDays(today, between(actor.draw, 2, 6)));
      }

      if (weekday) {
        const payment = await pay(actor, today);
        if (payment) payments.push(payment);
      }
    }
    if (payments.length > 0) {
      await importFile('payments', paymentsCsv(payments), `${at.toISODate()}-${String(at.hour).padStart(2, '0')}`);
      activity.payments += payments.length;
    }

    await workCallTasks(at, band);
    // The worker sweeps and runs statements every few minutes; the demo does at its working
    // moments. A monthly statement goes at the first run of a month inside the customer's
    // send window, so the statements job runs in each month's first week only.
    await runCaseSweep(cases, caseServices.sweep);
    if (at.day <= 7) await runAtAndWait(queues, 'statements', at);
  };

  /** A customer reads (or bounces, or texts STOP to) one message it was sent. */
  const receive = async (actor: Actor, message: ConversationMessage, today: string) => {
    const { customer } = actor;
    if (message.channel === 'email' && customer.bounces && !actor.bounced) {
      actor.bounced = true;
      const sent = await findContactDelivery(sql, message.contactId);
      if (sent?.providerMessageId && sent.recipient) {
        await recordEmailBounce(consent, {
          messageId: sent.providerMessageId,
          recipient: sent.recipient,
          kind: 'hard',
          reason: '550 5.1.1 mailbox unavailable',
        });
        activity.bounces += 1;
      }
      return;
    }
    if (message.channel === 'sms' && customer.textsStop && !actor.stopped && customer.phone) {
      actor.stopped = true;
      smsSeq += 1;
      await handleInboundSms(consent, config.company, {
        from: customer.phone,
        body: 'STOP',
        messageSid: `SMdemo${String(smsSeq).padStart(28, '0')}`,
      });
      activity.smsStops += 1;
    }
    if (message.stage === null) return;
    const reaction = reactToReminder(
      customer,
      { stage: message.stage, holdNotice: message.holdNotice },
      { disputed: actor.disputed },
      actor.draw,
    );
    if (reaction.kind === 'pay-overdue') actor.payOverdueOn = minDay(actor.payOverdueOn, addDays(today, reaction.inDays));
    if (reaction.kind === 'pay-upcoming') actor.payDueOn = minDay(actor.payDueOn, addDays(today, reaction.inDays));
    if (reaction.kind === 'dispute') await dispute(actor, today, 'inbound');
  };

  /** The customer calls (or is called) and disputes its oldest overdue invoice; the collector records it. */
  const dispute = async (actor: Actor, today: string, direction: 'inbound' | 'outbound') => {
    const overdue = (await openInvoices(actor.id)).filter((i) => i.dueOn < today && !i.disputed);
    const invoice = overdue[0];
    actor.disputed = true;
    if (!invoice) return;
    const reasonCode = DISPUTE_REASONS[between(actor.draw, 0, DISPUTE_REASONS.length - 1)]!;
    if (direction === 'inbound') {
      await logCall(cases, COLLECTOR, {
        customer: actor.customer.externalId,
        outcome: 'disputed',
        direction: 'inbound',
        notes: `Customer called about invoice ${invoice.number}: ${reasonCode.replace('_', ' ')}.`,
      });
      activity.calls += 1;
    }
    await openDispute(cases, COLLECTOR, {
      customer: actor.customer.externalId,
      invoice: invoice.number,
      reasonCode,
      notes: `Raised by the customer by phone.`,
    });
    activity.disputesOpened += 1;
    const outcome = disputeOutcome(actor.draw);
    if (outcome)
      actor.resolveDisputeOn = { day: addDays(today, outcome.resolveInDays), invoice: invoice.number, thenPays: outcome.thenPays };
  };

  /** What the customer pays today, if anything: the invoices whose day has come, or everything overdue. */
  const pay = async (actor: Actor, today: string): Promise<DemoPayment | null> => {
    const dueToday = [...actor.payInvoiceOn].filter(([, day]) => day <= today).map(([id]) => id);
    const payOverdue = actor.payOverdueOn !== null && actor.payOverdueOn <= today;
    const payDue = actor.payDueOn !== null && actor.payDueOn <= today;
    if (dueToday.length === 0 && !payOverdue && !payDue) return null;
    for (const id of dueToday) actor.payInvoiceOn.delete(id);
    if (payOverdue) actor.payOverdueOn = null;
    if (payDue) actor.payDueOn = null;
    if (await inLegalHold(actor.id)) return null;
    const open = (await openInvoices(actor.id)).filter((i) => !i.disputed);
    const horizon = payDue ? addDays(today, 7) : today;
    const chosen = open.filter((i) => dueToday.includes(i.externalId) || ((payOverdue || payDue) && i.dueOn < horizon));
    if (chosen.length === 0) return null;
    // Now and then a customer pays only part of what it meant to: the oldest invoice, half of it.
    const partial = chosen.length > 0 && actor.draw() < 0.08;
    const amountMinor = partial
      ? Math.max(100, Math.round(chosen[0]!.balanceMinor / 2))
      : chosen.reduce((sum, i) => sum + i.balanceMinor, 0);
    const named = partial ? [chosen[0]!] : chosen;
    paymentSeq += 1;
    return {
      externalId: `PAY-${String(paymentSeq).padStart(6, '0')}`,
      customerExternalId: actor.customer.externalId,
      amountMinor,
      currency: actor.customer.currency,
      receivedOn: today,
      // Most remittances name the invoices; some say nothing and are applied oldest first.
      reference: actor.draw() < 0.85 ? `Payment ${named.map((i) => i.number).join(', ')}` : '',
    };
  };

  /** The collector works the band's open call tasks on weekdays: a call each, a promise or a note sometimes. */
  const workCallTasks = async (at: DateTime, band: Actor[]) => {
    const byId = new Map(band.map((a) => [a.id, a]));
    const tasks = await findOpenCallTasksDue(sql, at.toJSDate(), [...byId.keys()]);
    const called = new Set<string>();
    for (const task of tasks) {
      const actor = byId.get(task.customerId);
      if (!actor || called.has(actor.id)) continue;
      const local = at.setZone(actor.customer.timeZone);
      if (local.weekday > 5 || (await inLegalHold(actor.id))) continue;
      called.add(actor.id);
      const today = local.toISODate()!;
      const result = answerCall(actor.customer, { paymentPlanned: actor.payOverdueOn !== null, disputed: actor.disputed }, actor.draw);
      const call = await logCall(cases, COLLECTOR, {
        customer: actor.customer.externalId,
        outcome: result.outcome,
        notes: result.notes,
        with: 'Accounts payable',
        taskId: task.id,
      });
      activity.calls += 1;
      if (result.outcome === 'promised') {
        const overdue = (await openInvoices(actor.id)).filter((i) => i.dueOn < today && !i.disputed);
        const amountMinor = overdue.reduce((sum, i) => sum + i.balanceMinor, 0);
        if (amountMinor > 0) {
          const promisedOn = addDays(today, result.promiseInDays);
          // A new promise on the call replaces one still open (one open promise at a time).
          const [open] = await findOpenPromises(prisma, actor.id);
          await recordPromise(cases, COLLECTOR, {
            ...(open ? { replaces: open.id } : {}),
            customer: actor.customer.externalId,
            amountMinor,
            promisedOn,
            channel: 'call',
            contactId: call.contactId,
          });
          activity.promises += 1;
          // A kept promise is paid by its day; a broken one is forgotten until the next reminder.
          if (actor.customer.keepsPromises)
            actor.payOverdueOn = minDay(actor.payOverdueOn, addDays(promisedOn, -between(actor.draw, 0, 2)));
        }
      }
      if (result.outcome === 'disputed') await dispute(actor, today, 'outbound');
      if (actor.draw() < 0.2) {
        await addNote(cases, COLLECTOR, {
          customer: actor.customer.externalId,
          text: FOLLOW_UP_NOTES[between(actor.draw, 0, FOLLOW_UP_NOTES.length - 1)]!,
        });
        activity.notes += 1;
      }
    }
  };

  // The simulated calendar: each band's working moment, and in between every instant a case
  // next needs looking at; each is followed by a tick through the real queues.
  const moments: Array<{ at: DateTime; zones: readonly string[]; issue: string | null }> = [];
  for (let day = DateTime.fromISO(firstDay, { zone: 'utc' }); day <= end; day = day.plus({ days: 1 })) {
    BANDS.forEach((band, i) =>
      moments.push({ at: day.set({ hour: band.hourUtc }), zones: band.zones, issue: i === 0 ? day.toISODate()! : null }),
    );
  }
  const due = moments.filter((m) => m.at <= end);
  let next = 0;
  let ticks = 0;
  for (;;) {
    while (next < due.length && due[next]!.at <= now) {
      const moment = due[next]!;
      next += 1;
      const invoices = moment.issue ? (issuedOn.get(moment.issue) ?? []) : [];
      if (invoices.length > 0) {
        await importFile('invoices', invoicesCsv(invoices), moment.issue!);
        for (const invoice of invoices) planInvoice(invoice);
        activity.invoicesIssued += invoices.length;
      }
      await workingMoment(moment.at, moment.zones);
    }
    await runTickAndWait(queues, now);
    ticks += 1;
    options.onTick?.(now, ticks);
    const nextLook = await findNextLookAfter(prisma, now.toJSDate());
    const candidates = [nextLook ? DateTime.fromJSDate(nextLook, { zone: 'utc' }) : null, due[next]?.at ?? null].filter(
      (t): t is DateTime => t !== null,
    );
    const following = candidates.reduce<DateTime | null>((min, t) => (min === null || t < min ? t : min), null);
    if (following === null || following > end) break;
    now = following;
  }
  activity.invoicesIssued += opening.length;
  // A few customers answer their last reminder, so the Replies page has something to show.
  const replies = await answerLastReminders({ ...(await replyDependencies(runtime)), clock }, sql, end);

  return {
    firstDay,
    lastDay: end.toISODate()!,
    ticks,
    imports: [...importTotals.values()],
    activity,
    replies: replies.map((r) => ({
      what: r.what,
      customer: r.outcome.customer,
      classification: r.outcome.classification,
      actions: r.outcome.actions,
    })),
    ledgerDir,
    ...(await countDemoOutcomes(prisma)),
    figures: await demoFigures(runtime.prisma, sql, policies, { end, days: options.days }),
  };
}

const minDay = (a: string | null, b: string) => (a === null || b < a ? b : a);
