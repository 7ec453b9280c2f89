import { describe, expect, it } from 'vitest';
import { balanceAsOf, withRecordedBalance } from '../../../src/reports/ledger.js';
import { buildStatement, statementContext } from '../../../src/reports/statement.js';
import { anInvoice, AS_OF, CUSTOMERS, INVOICES, PAYMENTS } from './ledger.fixture.js';

const CUSTOMER = CUSTOMERS[1]!;

describe('statement of account', () => {
  const statement = buildStatement({
    asOf: AS_OF,
    customer: CUSTOMER,
    invoices: INVOICES.filter((i) => i.customerId === CUSTOMER.id),
    payments: PAYMENTS,
  });

  it('lists the open items, oldest due first, with their age and bucket', () => {
    expect(statement.lines.map((l) => [l.number, l.balanceMinor, l.daysPastDue, l.bucket])).toEqual([
      ['INV-E', 15001, 151, '90+'],
      ['INV-G', 40000, 55, '31-60'],
      ['INV-H', 10000, 28, '1-30'],
      ['INV-U', 7000, 0, 'current'],
    ]);
  });

  it('totals per currency, ages them, and shows the unapplied credit', () => {
    expect(statement.totals).toEqual([
      { currency: 'EUR', balanceMinor: 65001 },
      { currency: 'USD', balanceMinor: 7000 },
    ]);
    expect(statement.aging[0]).toEqual({
      currency: 'EUR',
      buckets: { current: 0, '1-30': 10000, '31-60': 40000, '61-90': 0, '90+': 15001 },
    });
    expect(statement.unappliedCredit).toEqual([{ currency: 'EUR', balanceMinor: 5000 }]);
  });

  it('becomes the statement-of-account template context', () => {
    const company = {
      name: 'Delta',
      signature: 'AR',
      paymentInstructions: 'IBAN',
      payUrl: 'https://pay',
      supportEmail: 'ar@x',
      supportPhone: '+40',
    };
    const context = statementContext(statement, { company, now: '2026-04-01T09:00:00.000+03:00' });
    expect(context).toMatchObject({
      stepId: 'statement-of-account',
      optOutRequired: false,
      unsubscribeUrl: null,
      totals: statement.totals,
    });
    expect(context.customer).toEqual({ name: 'Contoso', locale: 'ro-RO', timeZone: 'Europe/Bucharest' });
    expect(context.invoices[0]).toEqual({
      number: 'INV-E',
      currency: 'EUR',
      amountMinor: 15001,
      balanceMinor: 15001,
      issuedOn: '2025-10-01',
      dueOn: '2025-10-31',
      daysPastDue: 151,
    });
  });
});

describe('an imported balance with no allocation behind it', () => {
  it('is settled from the day Arrears learnt of it', () => {
    // imported 2026-03-10 as 10000 with 4000 still owed: 6000 was paid in the ERP
    const invoice = withRecordedBalance(anInvoice('I', 'cus-1', 'EUR', 10000, '2026-02-01', '2026-03-01'), 4000, '2026-03-10');
    expect(balanceAsOf(invoice, '2026-03-09')).toBe(10000);
    expect(balanceAsOf(invoice, '2026-03-10')).toBe(4000);
    expect(balanceAsOf(invoice, '2026-01-31')).toBe(0); // not issued yet
  });
});
