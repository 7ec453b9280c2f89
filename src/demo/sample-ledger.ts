import { DateTime } from 'luxon';
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
  },
  {
    locale: 'zh-CN',
    currency: 'CNY',
    zones: ['Asia/Shanghai'],
    country: 'CN',
    phonePrefix: '+8613800',
    names: ['华兴', '东方', '长江', '金桥', '明远', '瑞丰', '海通', '新达', '恒源', '嘉禾'],
    suffix: '贸易有限公司',
  },
  {
    locale: 'ro',
    currency: 'RON',
    zones: ['Europe/Bucharest'],
    country: 'RO',
    phonePrefix: '+4072100',
    names: ['Carpați', 'Dunărea', 'Mureș', 'Transilvania', 'Olt', 'Bucegi', 'Siret', 'Prahova', 'Argeș', 'Someș'],
    suffix: 'Distribuție SRL',
  },
  {
    locale: 'tr',
    currency: 'TRY',
    zones: ['Europe/Istanbul'],
    country: 'TR',
    phonePrefix: '+9053200',
    names: ['Anadolu', 'Boğaziçi', 'Ege', 'Toros', 'Marmara', 'Kapadokya', 'Fırat', 'Karadeniz', 'Akdeniz', 'Uludağ'],
    suffix: 'Ticaret A.Ş.',
  },
];

const csvField = (value: string | number) => {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const csvLine = (fields: Array<string | number>) => fields.map(csvField).join(',');

/** Decimal major units from integer minor units (2-decimal currencies only in the sample). */
const major = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

export interface SampleLedger {
  customers: string;
  invoices: string;
  /** Payments received part-way through the simulation, dated `paymentsOn`. */
  payments: string;
  paymentsOn: string;
  customerCount: number;
  invoiceCount: number;
}

/**
 * A realistic small ledger in the import CSV formats: customers across the four seed locales and
 * several time zones, one to four invoices each with due dates spread around `start` (some not yet
 * due, some long overdue), SMS consent for about a third, and a key-account tenth.
 */
export function sampleLedger(start: DateTime, customers = 300, seed = 20261124): SampleLedger {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const customerRows = ['external_id,name,email,phone,timezone,locale,currency,credit_limit,sms_consent,policy'];
  const invoiceRows = ['external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on'];
  const paymentRows = ['external_id,customer_external_id,amount,currency,received_on,reference'];
  const paymentsOn = start.plus({ days: 25 }).toISODate()!;
  let invoiceCount = 0;

  for (let i = 1; i <= customers; i += 1) {
    const market = MARKETS[i % MARKETS.length]!;
    const id = `CUST-${String(i).padStart(4, '0')}`;
    const name = `${pick(market.names)} ${market.suffix}`;
    const hasMobile = next() < 0.6;
    const smsConsent = hasMobile && next() < 0.6;
    const keyAccount = next() < 0.1;
    customerRows.push(
      csvLine([
        id,
        name,
        `ar+${id.toLowerCase()}@example.${market.country.toLowerCase()}`,
        hasMobile ? `${market.phonePrefix}${String(i).padStart(4, '0')}` : '',
        pick(market.zones),
        market.locale,
        market.currency,
        major(Math.round(5_000 + next() * 50_000) * 100),
        smsConsent ? 'true' : 'false',
        keyAccount ? 'key-account' : 'default',
      ]),
    );
    const invoices = 1 + Math.floor(next() * 4);
    for (let n = 1; n <= invoices; n += 1) {
      invoiceCount += 1;
      const number = `${market.country}-${2026}-${String(invoiceCount).padStart(5, '0')}`;
      const amount = Math.round(200 + next() * 9_800) * 100 + Math.floor(next() * 100);
      const dueOn = start.plus({ days: Math.round(-60 + next() * 100) });
      const issuedOn = dueOn.minus({ days: 30 });
      const partlyPaid = next() < 0.15;
      const balance = partlyPaid ? Math.round(amount / 2) : amount;
      invoiceRows.push(
        csvLine([`${id}-INV-${n}`, id, number, market.currency, major(amount), major(balance), issuedOn.toISODate()!, dueOn.toISODate()!]),
      );
      if (next() < 0.15) {
        paymentRows.push(csvLine([`PAY-${number}`, id, major(balance), market.currency, paymentsOn, `Payment for ${number}`]));
      }
    }
  }
  return {
    customers: `${customerRows.join('\n')}\n`,
    invoices: `${invoiceRows.join('\n')}\n`,
    payments: `${paymentRows.join('\n')}\n`,
    paymentsOn,
    customerCount: customers,
    invoiceCount,
  };
}
