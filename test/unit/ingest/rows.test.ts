import { describe, expect, it } from 'vitest';
import { parseCustomerRow, parseInvoiceRow, parsePaymentRow } from '../../../src/ingest/rows.js';

const policies = new Set(['default', 'key-account']);

// Rows as the file has them; each case changes one column of a good row.
const customer = (o: Partial<Record<string, string>> = {}) => [
  o.external_id ?? 'RO-1',
  o.name ?? 'Carpați SRL',
  o.email ?? 'ap@carpati.example',
  o.phone ?? '0721 234 567',
  o.timezone ?? 'Europe/Bucharest',
  o.locale ?? 'ro-RO',
  o.currency ?? 'RON',
  o.credit_limit ?? '1000.00',
  o.sms_consent ?? 'yes',
  o.policy ?? 'default',
];
const invoice = (o: Partial<Record<string, string>> = {}) => [
  o.external_id ?? 'I-1',
  o.customer_external_id ?? 'RO-1',
  o.number ?? 'F-1',
  o.currency ?? 'RON',
  o.amount ?? '100.00',
  o.balance ?? '',
  o.issued_on ?? '2026-01-10',
  o.due_on ?? '2026-02-09',
];
const payment = (o: Partial<Record<string, string>> = {}) => [
  o.external_id ?? 'P-1',
  o.customer_external_id ?? 'RO-1',
  o.amount ?? '100.00',
  o.currency ?? 'RON',
  o.received_on ?? '2026-02-01',
  o.reference ?? 'F-1',
];

const reasonOf = (result: { ok: boolean; reason?: string }) => (result.ok ? 'accepted' : result.reason);

describe('row rejections (checks that need no database)', () => {
  it.each([
    ['customer: no external id', () => parseCustomerRow(customer({ external_id: ' ' }), policies), 'external_id: is required'],
    ['customer: no name', () => parseCustomerRow(customer({ name: '' }), policies), 'name: is required'],
    [
      'customer: bad time zone',
      () => parseCustomerRow(customer({ timezone: 'Europe/Bucuresti' }), policies),
      'timezone: "Europe/Bucuresti" is not an IANA time zone',
    ],
    ['customer: offset is not a zone', () => parseCustomerRow(customer({ timezone: 'GMT+2:30' }), policies), 'timezone:'],
    ['customer: unknown locale', () => parseCustomerRow(customer({ locale: 'xx-YY' }), policies), 'locale: "xx-YY" is not a known locale'],
    ['customer: malformed locale', () => parseCustomerRow(customer({ locale: 'ro_RO!' }), policies), 'locale:'],
    ['customer: unknown currency', () => parseCustomerRow(customer({ currency: 'LEI' }), policies), 'currency: "LEI" is not an ISO 4217'],
    [
      'customer: bad email',
      () => parseCustomerRow(customer({ email: 'ap@carpati' }), policies),
      'email: "ap@carpati" is not an email address',
    ],
    ['customer: two emails in one cell', () => parseCustomerRow(customer({ email: 'a@x.ro; b@x.ro' }), policies), 'email:'],
    [
      'customer: phone without country',
      () => parseCustomerRow(customer({ phone: '0721 234 567', locale: 'es-419' }), policies),
      'phone: phone "0721 234 567" has no country code',
    ],
    ['customer: phone too short', () => parseCustomerRow(customer({ phone: '+40 72' }), policies), 'is not a valid international number'],
    ['customer: bad credit limit', () => parseCustomerRow(customer({ credit_limit: '1.000,00' }), policies), 'credit_limit:'],
    [
      'customer: negative credit limit',
      () => parseCustomerRow(customer({ credit_limit: '-1' }), policies),
      'credit_limit: -1 must be zero or more',
    ],
    ['customer: bad sms consent', () => parseCustomerRow(customer({ sms_consent: 'da' }), policies), 'sms_consent: "da" is not one of'],
    [
      'customer: unknown policy',
      () => parseCustomerRow(customer({ policy: 'vip' }), policies),
      'policy: "vip" is not a known policy (known: default, key-account)',
    ],
    ['invoice: bad date', () => parseInvoiceRow(invoice({ issued_on: '2026-02-30' })), 'issued_on: "2026-02-30" is not a calendar date'],
    ['invoice: not ISO', () => parseInvoiceRow(invoice({ due_on: '09/02/2026' })), 'due_on: "09/02/2026" is not a date in YYYY-MM-DD form'],
    [
      'invoice: due before issue',
      () => parseInvoiceRow(invoice({ due_on: '2026-01-01' })),
      'due_on: 2026-01-01 is before issued_on 2026-01-10',
    ],
    ['invoice: bad amount', () => parseInvoiceRow(invoice({ amount: '100,00' })), 'amount: "100,00" is not a decimal amount'],
    [
      'invoice: too many decimals',
      () => parseInvoiceRow(invoice({ currency: 'JPY', amount: '12.5' })),
      'amount: "12.5" has 1 decimals; JPY allows no decimals',
    ],
    ['invoice: negative amount', () => parseInvoiceRow(invoice({ amount: '-100.00' })), 'amount: -100.00 must be zero or more'],
    [
      'invoice: balance above amount',
      () => parseInvoiceRow(invoice({ balance: '100.01' })),
      'balance: 100.01 is more than the amount 100.00',
    ],
    ['invoice: no amount', () => parseInvoiceRow(invoice({ amount: '' })), 'amount: is required'],
    ['invoice: no number', () => parseInvoiceRow(invoice({ number: '' })), 'number: is required'],
    ['invoice: bad currency', () => parseInvoiceRow(invoice({ currency: 'usd1' })), 'currency: "usd1" is not an ISO 4217'],
    ['payment: zero amount', () => parsePaymentRow(payment({ amount: '0' })), 'amount: 0 must be more than zero'],
    ['payment: negative amount', () => parsePaymentRow(payment({ amount: '-3.00' })), 'amount: -3.00 must be more than zero'],
    [
      'payment: bad date',
      () => parsePaymentRow(payment({ received_on: '2025-02-29' })),
      'received_on: "2025-02-29" is not a calendar date',
    ],
    ['payment: no customer', () => parsePaymentRow(payment({ customer_external_id: '' })), 'customer_external_id: is required'],
  ])('%s', (_name, parse, reason) => {
    expect(reasonOf(parse())).toContain(reason);
  });

  it('names every problem of a row at once', () => {
    expect(reasonOf(parseInvoiceRow(invoice({ amount: 'x', issued_on: '2026-13-01' })))).toBe(
      'amount: "x" is not a decimal amount such as 1234.56; issued_on: "2026-13-01" is not a calendar date',
    );
  });
});

describe('rows that load', () => {
  it('reads a customer, normalising what can be normalised', () => {
    const result = parseCustomerRow(
      customer({ timezone: 'europe/bucharest', locale: 'ro-ro', currency: 'ron', email: 'AP@Carpati.EXAMPLE', sms_consent: 'Y' }),
      policies,
    );
    expect(result).toEqual({
      ok: true,
      row: {
        externalId: 'RO-1',
        name: 'Carpați SRL',
        email: 'AP@carpati.example',
        phone: { e164: '+40721234567', isMobile: true },
        timeZone: 'Europe/Bucharest',
        locale: 'ro-RO',
        currency: 'RON',
        creditLimitMinor: 100000n,
        smsConsent: true,
        policyId: 'default',
      },
    });
  });

  it('leaves empty optional customer columns undefined (keep / default)', () => {
    const result = parseCustomerRow(customer({ email: '', phone: '', credit_limit: '', sms_consent: '', policy: '' }), policies);
    expect(result.ok && result.row).toMatchObject({
      email: undefined,
      phone: undefined,
      creditLimitMinor: undefined,
      smsConsent: undefined,
      policyId: undefined,
    });
  });

  it('defaults the balance to the amount, and accepts a leap day', () => {
    const result = parseInvoiceRow(invoice({ currency: 'KWD', amount: '1.234', issued_on: '2024-02-29', due_on: '2024-03-30' }));
    expect(result.ok && result.row).toMatchObject({ amountMinor: 1234n, balanceMinor: 1234n, issuedOn: '2024-02-29' });
  });

  it('keeps an empty payment reference as null', () => {
    expect(parsePaymentRow(payment({ reference: ' ' }))).toMatchObject({ ok: true, row: { reference: null, amountMinor: 10000n } });
  });
});
