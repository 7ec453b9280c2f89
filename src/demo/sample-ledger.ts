import type { DateTime } from 'luxon';
import type { RuleId } from '../core/interest/rules.js';
import { toMajorString } from '../core/money.js';
import { csvQuoted } from '../csv/csv-writer.js';
import { random } from './random.js';

/** A market the sample ledger draws customers from. */
interface Market {
  locale: string;
  currency: string;
  zones: string[];
  country: string;
  phonePrefix: string;
  names: string[];
  suffix: string;
  /** The late-payment law the contracts with this market's customers are written under (none shipped for US and CN). */
  interestRule: RuleId | null;
}

const MARKETS: Market[] = [
  {
    locale: 'en',
    currency: 'USD',
    zones: ['America/New_York', 'America/Chicago', 'America/Los_Angeles'],
    country: 'US',
    phonePrefix: '+1415555',
    names: ['Harbor', 'Summit', 'Bluebird', 'Granite', 'Lakeside', 'Redwood', 'Prairie', 'Beacon', 'Cedar', 'Pioneer'],
    suffix: 'Supply Co.',
    interestRule: null,
  },
  {
    locale: 'zh-CN',
    currency: 'CNY',
    zones: ['Asia/Shanghai'],
    country: 'CN',
    phonePrefix: '+8613800',
    names: ['华兴', '东方', '长江', '金桥', '明远', '瑞丰', '海通', '新达', '恒源', '嘉禾'],
    suffix: '贸易有限公司',
    interestRule: null,
  },
  {
    locale: 'ro',
    currency: 'RON',
    zones: ['Europe/Bucharest'],
    country: 'RO',
    phonePrefix: '+4072100',
    names: ['Carpați', 'Dunărea', 'Mureș', 'Transilvania', 'Olt', 'Bucegi', 'Siret', 'Prahova', 'Argeș', 'Someș'],
    suffix: 'Distribuție SRL',
    interestRule: 'ro-law-72-2013',
  },
  {
    locale: 'tr',
    currency: 'TRY',
    zones: ['Europe/Istanbul'],
    country: 'TR',
    phonePrefix: '+9053200',
    names: ['Anadolu', 'Boğaziçi', 'Ege', 'Toros', 'Marmara', 'Kapadokya', 'Fırat', 'Karadeniz', 'Akdeniz', 'Uludağ'],
    suffix: 'Ticaret A.Ş.',
    interestRule: 'tr-ttk-1530',
  },
];

/**
 * How a customer pays. `prompt` pays around the due date unprompted; `reminded` pays a few days
 * after a reminder or two; `slow` pays weeks late whatever it is told; `never` does not pay.
 */
export type PayingHabit = 'prompt' | 'reminded' | 'slow' | 'never';

/** One customer of the sample business and how it behaves (the demo reads the behaviour, the import never sees it). */
export interface DemoCustomer {
  index: number;
  externalId: string;
  name: string;
  email: string;
  phone: string | null;
  smsConsent: boolean;
  timeZone: string;
  locale: string;
  currency: string;
  country: string;
  creditLimitMinor: number;
  policy: 'default' | 'key-account';
  /** Set on the customer after the import (the customers CSV has no column for it). */
  interestRule: RuleId | null;
  habit: PayingHabit;
  /** Chance of paying within days of each overdue reminder it receives. */
  reminderResponse: number;
  /** Disputes one invoice when chased. */
  disputes: boolean;
  /** Promises to pay when a collector calls; `keepsPromises` says whether it then pays. */
  promises: boolean;
  keepsPromises: boolean;
  /** Its email address hard-bounces the first message. */
  bounces: boolean;
  /** Replies STOP to its first SMS. */
  textsStop: boolean;
  /** Statements of account: on request only (`monthly`), most customers get none. */
  statementSchedule: 'monthly' | 'none';
  /** Seed of the customer's own random stream (its choices do not shift when others change). */
  seed: number;
}

/** One invoice of the sample business, issued on `issuedOn` (imported that day, or in the opening ledger). */
export interface DemoInvoice {
  externalId: string;
  customerExternalId: string;
  number: string;
  currency: string;
  amountMinor: number;
  issuedOn: string;
  dueOn: string;
}

export interface SampleLedger {
  customers: DemoCustomer[];
  /** Every invoice, ordered by issue date; those issued before the first simulated day form the opening ledger. */
  invoices: DemoInvoice[];
  /** The first simulated day (UTC date). */
  firstDay: string;
}

// Files for Arrears' own importer, which must read them back exactly: quoted, not neutralised.
const csvLine = (fields: Array<string | number>) => fields.map((value) => csvQuoted(String(value))).join(',');

/** The customers in the `arrears import customers` CSV format. */
/** Customers in the `arrears import customers` CSV format, each assigned to `collector` (a user's email). */
export function customersCsv(customers: readonly DemoCustomer[], collector: string): string {
  const rows = customers.map((c) =>
    csvLine([
      c.externalId,
      c.name,
      c.email,
      c.phone ?? '',
      c.timeZone,
      c.locale,
      c.currency,
      toMajorString(c.creditLimitMinor, c.currency),
      c.smsConsent ? 'true' : 'false',
      c.policy,
      collector,
      c.statementSchedule,
    ]),
  );
  const header = 'external_id,name,email,phone,timezone,locale,currency,credit_limit,sms_consent,policy,collector,statement_schedule';
  return `${[header, ...rows].join('\n')}\n`;
}

/** Invoices in the `arrears import invoices` CSV format (balance = amount: nothing paid yet). */
export function invoicesCsv(invoices: readonly DemoInvoice[]): string {
  const rows = invoices.map((i) =>
    csvLine([
      i.externalId,
      i.customerExternalId,
      i.number,
      i.currency,
      toMajorString(i.amountMinor, i.currency),
      toMajorString(i.amountMinor, i.currency),
      i.issuedOn,
      i.dueOn,
    ]),
  );
  return `${['external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on', ...rows].join('\n')}\n`;
}

/** A payment as a customer sends it: an amount, the day it arrived, and the reference it typed. */
export interface DemoPayment {
  externalId: string;
  customerExternalId: string;
  amountMinor: number;
  currency: string;
  receivedOn: string;
  reference: string;
}

/** Payments in the `arrears import payments` CSV format. */
export function paymentsCsv(payments: readonly DemoPayment[]): string {
  const rows = payments.map((p) =>
    csvLine([p.externalId, p.customerExternalId, toMajorString(p.amountMinor, p.currency), p.currency, p.receivedOn, p.reference]),
  );
  return `${['external_id,customer_external_id,amount,currency,received_on,reference', ...rows].join('\n')}\n`;
}

function habitOf(draw: number): PayingHabit {
  if (draw < 0.5) return 'prompt';
  if (draw < 0.83) return 'reminded';
  if (draw < 0.97) return 'slow';
  return 'never';
}

const REMINDER_RESPONSE: Record<PayingHabit, [number, number]> = {
  prompt: [0.7, 0.95],
  reminded: [0.45, 0.8],
  slow: [0.15, 0.35],
  never: [0, 0],
};

/**
 * A small business's ledger for the `days` that end on `lastDay`: customers across the four seed
 * locales and seven time zones, each billed monthly on its own day (a quarter also get a
 * mid-month invoice), on 14- or 30-day terms. The opening ledger holds what was still open on
 * the first day: the current month for everyone, older invoices for slow payers, and two or three
 * months of arrears for the few who never pay. Each customer has a paying habit and a few traits
 * (disputes, promises, a bouncing address, STOP to SMS) that the demo acts out.
 */
export function sampleLedger(lastDay: DateTime, days: number, customers = 300, seed = 20261124): SampleLedger {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const between = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const last = lastDay.toUTC().startOf('day');
  const first = last.minus({ days: days - 1 });
  const demoCustomers: DemoCustomer[] = [];
  const invoices: DemoInvoice[] = [];

  for (let i = 1; i <= customers; i += 1) {
    const market = MARKETS[i % MARKETS.length]!;
    const externalId = `CUST-${String(i).padStart(4, '0')}`;
    const hasMobile = next() < 0.6;
    const smsConsent = hasMobile && next() < 0.6;
    const habit = habitOf(next());
    const keyAccount = next() < 0.1;
    const [low, high] = REMINDER_RESPONSE[habit];
    const customer: DemoCustomer = {
      index: i,
      externalId,
      name: `${pick(market.names)} ${market.suffix}`,
      email: `ar+${externalId.toLowerCase()}@example.${market.country.toLowerCase()}`,
      phone: hasMobile ? `${market.phonePrefix}${String(i).padStart(4, '0')}` : null,
      smsConsent,
      timeZone: pick(market.zones),
      locale: market.locale,
      currency: market.currency,
      country: market.country,
      creditLimitMinor: between(50, 550) * 10_000,
      policy: keyAccount ? 'key-account' : 'default',
      interestRule: market.interestRule,
      habit,
      reminderResponse: low + next() * (high - low),
      disputes: next() < 0.05,
      promises: habit !== 'prompt' && next() < 0.5,
      keepsPromises: next() < 0.7,
      bounces: next() < 0.02,
      textsStop: smsConsent && next() < 0.12,
      statementSchedule: keyAccount || next() < 0.2 ? 'monthly' : 'none',
      seed: Math.floor(next() * 2 ** 31),
    };
    demoCustomers.push(customer);

    // Monthly billing on the customer's own day; the opening ledger reaches back as far as the
    // customer's habit leaves invoices unpaid.
    const termsDays = next() < 0.3 ? 14 : 30;
    const billingDay = between(1, 28);
    // Typical invoice 300–18,000 in major units; those who never pay are small accounts.
    const typicalMinor = Math.round(Math.exp(Math.log(300) + next() * Math.log(60)) * (habit === 'never' ? 0.3 : 1)) * 100;
    const arrearsDays = habit === 'never' ? between(75, 105) : habit === 'slow' ? between(20, 60) : 0;
    const openFrom = first.minus({ days: termsDays + arrearsDays });
    const midMonth = next() < 0.25;
    let month = openFrom.startOf('month');
    let n = 0;
    while (month <= last) {
      const issueDays = [month.set({ day: billingDay })];
      if (midMonth) issueDays.push(month.set({ day: Math.min(28, billingDay + 14) }));
      for (const issued of issueDays) {
        if (issued < openFrom || issued > last) continue;
        n += 1;
        const amountMinor = Math.max(5_000, Math.round(typicalMinor * (0.6 + next() * 0.8)) + between(0, 99));
        invoices.push({
          externalId: `${externalId}-INV-${n}`,
          customerExternalId: externalId,
          number: `${market.country}-${issued.toFormat('yyMM')}-${String(i).padStart(4, '0')}${String(n).padStart(2, '0')}`,
          currency: market.currency,
          amountMinor,
          issuedOn: issued.toISODate()!,
          dueOn: issued.plus({ days: termsDays }).toISODate()!,
        });
      }
      month = month.plus({ months: 1 });
    }
  }
  invoices.sort((a, b) => a.issuedOn.localeCompare(b.issuedOn) || a.externalId.localeCompare(b.externalId));
  return { customers: demoCustomers, invoices, firstDay: first.toISODate()! };
}
