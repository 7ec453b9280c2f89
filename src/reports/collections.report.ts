import type { IsoDate } from '../core/dates.js';
import { addMinor, countsOn } from './ledger.js';
import { calendarPeriods, type CalendarPeriod } from './periods.js';

/** The collector a customer is assigned to; `null` id = unassigned. */
export interface CollectorRef {
  id: string | null;
  name: string;
}

interface Attributed {
  collector: CollectorRef;
}

export interface ReceivedPayment extends Attributed {
  currency: string;
  amountMinor: number;
  receivedOn: IsoDate;
}

export interface AppliedAllocation extends Attributed {
  currency: string;
  amountMinor: number;
  /** The payment's receipt date. */
  on: IsoDate;
  reversedOn: IsoDate | null;
}

export interface ContactEvent extends Attributed {
  channel: string;
  direction: 'outbound' | 'inbound';
  status: string;
  /** Local date it was sent (or created, when no send time is known). */
  on: IsoDate;
}

export interface PromiseOutcome extends Attributed {
  status: string;
  /** The date promised: a promise is counted in the period it fell due. */
  on: IsoDate;
}

export interface CollectionsInput {
  asOf: IsoDate;
  unit: 'month' | 'week';
  periods: number;
  payments: readonly ReceivedPayment[];
  allocations: readonly AppliedAllocation[];
  contacts: readonly ContactEvent[];
  promises: readonly PromiseOutcome[];
}

/** One period's activity, for one collector or (in `totals`) for everyone. */
export interface CollectionsRow {
  period: CalendarPeriod;
  /** Null in `totals`. */
  collector: CollectorRef | null;
  /** Payments received, by currency. */
  collectedMinor: Record<string, number>;
  /** Of those, applied to invoices and not reversed by the as-of date, by currency. */
  appliedMinor: Record<string, number>;
  /** Outbound contacts that reached `sent` or `delivered`, by channel. */
  remindersSent: Record<string, number>;
  promisesKept: number;
  promisesBroken: number;
}

export interface CollectionsReport {
  asOf: IsoDate;
  unit: 'month' | 'week';
  periods: CalendarPeriod[];
  /** Per period and collector, only where something happened; by period, then collector name. */
  rows: CollectionsRow[];
  /** One per period, all collectors together. */
  totals: CollectionsRow[];
}

const SENT_STATUSES = new Set(['sent', 'delivered']);

function bump(record: Record<string, number>, key: string, by: number): void {
  record[key] = addMinor(record[key] ?? 0, by);
}

/** Amounts collected, reminders sent and promises kept or broken, per period and collector. */
export function collectionsReport(input: CollectionsInput): CollectionsReport {
  const periods = calendarPeriods(input.asOf, input.unit, input.periods);
  const rows = new Map<string, CollectionsRow>();
  const totals = periods.map((period): CollectionsRow => blank(period, null));

  const record = (on: IsoDate, collector: CollectorRef, apply: (row: CollectionsRow) => void) => {
    const index = periods.findIndex((p) => on >= p.from && on <= p.to);
    const period = periods[index];
    const total = totals[index];
    if (period === undefined || total === undefined) return;
    const key = `${period.label}|${collector.id ?? ''}`;
    const row = rows.get(key) ?? blank(period, collector);
    rows.set(key, row);
    apply(row);
    apply(total);
  };

  for (const p of input.payments) record(p.receivedOn, p.collector, (row) => bump(row.collectedMinor, p.currency, p.amountMinor));
  for (const a of input.allocations) {
    if (countsOn(a, input.asOf)) record(a.on, a.collector, (row) => bump(row.appliedMinor, a.currency, a.amountMinor));
  }
  for (const c of input.contacts) {
    if (c.direction === 'outbound' && SENT_STATUSES.has(c.status)) {
      record(c.on, c.collector, (row) => bump(row.remindersSent, c.channel, 1));
    }
  }
  for (const p of input.promises) {
    if (p.status === 'kept') record(p.on, p.collector, (row) => (row.promisesKept += 1));
    if (p.status === 'broken') record(p.on, p.collector, (row) => (row.promisesBroken += 1));
  }

  return {
    asOf: input.asOf,
    unit: input.unit,
    periods,
    rows: [...rows.values()].sort(
      (a, b) => a.period.from.localeCompare(b.period.from) || (a.collector?.name ?? '').localeCompare(b.collector?.name ?? ''),
    ),
    totals,
  };
}

function blank(period: CalendarPeriod, collector: CollectorRef | null): CollectionsRow {
  return { period, collector, collectedMinor: {}, appliedMinor: {}, remindersSent: {}, promisesKept: 0, promisesBroken: 0 };
}
