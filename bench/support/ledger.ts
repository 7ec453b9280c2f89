// Synthetic ledgers for the benchmark and the fault suite, written with COPY (pg-copy-streams):
// customers, their contact points, invoices and collection cases, ids generated here so the
// tables can be streamed without lookups.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DateTime } from 'luxon';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { random } from '../../src/demo/random.js';

/** Zones whose local time at the benchmark's instants (Tuesday 09:00–10:00 UTC) is inside the send window. */
const OPEN_ZONES = [
  { zone: 'Europe/Bucharest', locale: 'ro', currency: 'RON', phone: '+40721' },
  { zone: 'Europe/Istanbul', locale: 'tr', currency: 'TRY', phone: '+90532' },
  { zone: 'Europe/London', locale: 'en', currency: 'GBP', phone: '+44770' },
  { zone: 'Asia/Shanghai', locale: 'zh-CN', currency: 'CNY', phone: '+86138' },
] as const;
/** Every zone the background ledger uses (some closed at the benchmark's instants, as in real life). */
const ALL_ZONES = [...OPEN_ZONES, { zone: 'America/New_York', locale: 'en', currency: 'USD', phone: '+1415' }] as const;

export interface LedgerSpec {
  /** Prefix of external ids, so several generated sets can live in one database. */
  prefix: string;
  customers: number;
  /** Invoices per customer (the first is the one that decides the reminder, see `kind`). */
  invoicesPerCustomer: number;
  /** The instant decisions are made at; due dates and aging are relative to its date. */
  asOf: DateTime;
  /**
   * `due`: every customer has an invoice exactly 7 days past due (default policy step "+7": one
   * email, plus one SMS where `smsShare` consented) and its case due at `nextLookAt`.
   * `background`: a realistic aging spread (half paid, the rest current/1–30/31–60/61–90/90+),
   * cases looking next at some moment in the coming month.
   */
  kind: 'due' | 'background';
  /** Where the cases of a `due` set look next (default: asOf). */
  nextLookAt?: Date;
  /** Share of customers with a mobile number and SMS consent. */
  smsShare?: number;
  /** First serial number (phones and e-mail addresses are unique per serial). */
  serialStart?: number;
  /** Collectors the customers are assigned to in turn (every 20th customer stays unassigned). */
  collectorIds?: readonly string[];
  /** `varied`: company names from word lists (something to search for) instead of "Customer N Ltd". */
  names?: 'serial' | 'varied';
}

const NAME_HEADS = [
  'Northern',
  'Atlas',
  'Blue River',
  'Carpathian',
  'Golden Gate',
  'Harbour',
  'Meridian',
  'Summit',
  'Anatolia',
  'Pearl',
  'Thames',
  'Danube',
  'Redwood',
  'Silk Road',
  'Orion',
];
const NAME_TRADES = [
  'Textiles',
  'Logistics',
  'Foods',
  'Machinery',
  'Pharma',
  'Builders',
  'Electronics',
  'Paper',
  'Motors',
  'Garden Supply',
  'Coffee',
  'Steel',
];
const NAME_FORMS = ['Ltd', 'SRL', 'A.Ş.', 'Co.', 'LLC', 'Group'];

/** A company name for serial `n`: the same serial always gets the same name, and names repeat only with the serial after them. */
export function companyName(n: number): string {
  const head = NAME_HEADS[n % NAME_HEADS.length]!;
  const trade = NAME_TRADES[Math.floor(n / NAME_HEADS.length) % NAME_TRADES.length]!;
  const form = NAME_FORMS[Math.floor(n / (NAME_HEADS.length * NAME_TRADES.length)) % NAME_FORMS.length]!;
  return `${head} ${trade} ${form} ${n}`;
}

export interface GeneratedSet {
  customerIds: string[];
  /** Customers expected to get an SMS (due sets). */
  smsCustomerIds: Set<string>;
  invoices: number;
}

async function copy(client: pg.PoolClient, statement: string, rows: Iterable<string>): Promise<void> {
  async function* chunks() {
    let chunk = '';
    for (const row of rows) {
      chunk += row;
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(statement)));
}

/** Days past due for a background invoice: a realistic aging spread. */
function backgroundAging(r: () => number): { daysPastDue: number; paid: boolean } {
  const x = r();
  if (x < 0.5) return { daysPastDue: 30 + Math.floor(r() * 300), paid: true };
  if (x < 0.7) return { daysPastDue: -1 - Math.floor(r() * 30), paid: false }; // current
  if (x < 0.82) return { daysPastDue: 1 + Math.floor(r() * 30), paid: false };
  if (x < 0.9) return { daysPastDue: 31 + Math.floor(r() * 30), paid: false };
  if (x < 0.95) return { daysPastDue: 61 + Math.floor(r() * 30), paid: false };
  return { daysPastDue: 91 + Math.floor(r() * 270), paid: false };
}

/** Writes one generated set in a single transaction of COPYs. */
export async function generateLedger(pool: pg.Pool, spec: LedgerSpec): Promise<GeneratedSet> {
  const r = random(spec.serialStart ?? 1);
  const asOfDate = spec.asOf.toUTC().startOf('day');
  const serial0 = spec.serialStart ?? 0;
  const customers = Array.from({ length: spec.customers }, (_, i) => {
    const serial = serial0 + i;
    const market = spec.kind === 'due' ? OPEN_ZONES[serial % OPEN_ZONES.length]! : ALL_ZONES[serial % ALL_ZONES.length]!;
    const sms = r() < (spec.smsShare ?? (spec.kind === 'due' ? 0.3 : 0.2));
    const collectors = spec.collectorIds ?? [];
    const collector = collectors.length > 0 && serial % 20 !== 19 ? collectors[serial % collectors.length]! : '\\N';
    const name = spec.names === 'varied' ? companyName(serial) : `Customer ${serial} Ltd`;
    return { id: randomUUID(), serial, market, sms, collector, name };
  });
  const nextLook = spec.nextLookAt ?? spec.asOf.toJSDate();
  const client = await pool.connect();
  let invoices = 0;
  try {
    await client.query('begin');
    await copy(
      client,
      'copy customers (id, external_id, name, time_zone, locale, currency, sms_consent, assigned_collector_id, updated_at) from stdin',
      customers.map(
        (c) =>
          `${c.id}\t${spec.prefix}-${c.serial}\t${c.name}\t${c.market.zone}\t${c.market.locale}\t${c.market.currency}\t${c.sms}\t${c.collector}\tnow\n`,
      ),
    );
    await copy(
      client,
      'copy contact_points (customer_id, kind, value, role, is_mobile, updated_at) from stdin',
      (function* () {
        for (const c of customers) {
          yield `${c.id}\temail\t${spec.prefix.toLowerCase()}-${c.serial}@example.com\tbilling\tfalse\tnow\n`;
          if (c.sms) yield `${c.id}\tphone\t${c.market.phone}${String(c.serial).padStart(7, '0')}\tprimary\ttrue\tnow\n`;
        }
      })(),
    );
    await copy(
      client,
      'copy invoices (external_id, customer_id, number, currency, amount_minor, open_balance_minor, issue_date, due_date, status, paid_at, created_at, updated_at) from stdin',
      (function* () {
        for (const c of customers) {
          for (let k = 0; k < spec.invoicesPerCustomer; k += 1) {
            let daysPastDue: number;
            let paid = false;
            if (spec.kind === 'due') {
              daysPastDue = k === 0 ? 7 : -5 - k; // the +7 invoice and a few current ones
            } else {
              ({ daysPastDue, paid } = backgroundAging(r));
            }
            const due = asOfDate.minus({ days: daysPastDue });
            const issued = due.minus({ days: 30 });
            const amount = 1_000 + Math.floor(r() * 2_000_000);
            // Imported the morning it was issued (a ledger Arrears has been keeping), not all today.
            const morning = issued.set({ hour: 6 });
            const created = morning < spec.asOf ? morning : spec.asOf;
            invoices += 1;
            yield (
              `${spec.prefix}-${c.serial}-${k}\t${c.id}\tN-${c.serial}-${k}\t${c.market.currency}\t${amount}\t${paid ? 0 : amount}\t` +
              `${issued.toISODate()}\t${due.toISODate()}\t${paid ? 'paid' : 'open'}\t${paid ? due.plus({ days: 3 }).toISO() : '\\N'}\t${created.toISO()}\tnow\n`
            );
          }
        }
      })(),
    );
    await copy(
      client,
      'copy collection_cases (customer_id, next_look_at, updated_at) from stdin',
      customers.map((c) => {
        const at = spec.kind === 'due' ? nextLook : spec.asOf.plus({ minutes: 1_440 + Math.floor(r() * 43_200) }).toJSDate();
        return `${c.id}\t${at.toISOString()}\tnow\n`;
      }),
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return {
    customerIds: customers.map((c) => c.id),
    smsCustomerIds: new Set(customers.filter((c) => c.sms).map((c) => c.id)),
    invoices,
  };
}

/** Moves a set's cases to `at` (due for a decision at that instant). */
export async function makeDue(pool: pg.Pool, customerIds: readonly string[], at: Date): Promise<void> {
  await pool.query('update collection_cases set next_look_at = $2 where customer_id = any($1::uuid[])', [customerIds, at]);
}
