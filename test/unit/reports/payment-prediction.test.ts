import { describe, expect, it } from 'vitest';
import {
  predictPaymentDates,
  weightedMedian,
  type OpenInvoiceRef,
  type PaidInvoiceRecord,
} from '../../../src/reports/payment-prediction.js';

const AS_OF = '2026-03-31';

// cus-1 paid four invoices. Paid 0, 180 and 360 days before the as-of date, they weigh 1, 0.5
// and 0.25 (half-life 180 days):
//   days-to-pay 10 (w 1) · 30 (w 0.5) · 40 (w 0.25) · 50 (w 0.25); total weight 2
// The weighted median is the first value whose cumulative weight reaches 1: 10 days, where the
// unweighted median would be 35 — the customer has recently started paying faster.
// cus-2 has only two paid invoices (both early, −5 and −3, paid on the as-of date: weight 1) → the portfolio's habit:
//   −5 (1) · −3 (1) · 10 (1) · 30 (.5) · 40 (.25) · 50 (.25); total 4, half reached at −3.
const HISTORY: PaidInvoiceRecord[] = [
  { customerId: 'cus-1', dueOn: '2026-03-21', paidOn: '2026-03-31' },
  { customerId: 'cus-1', dueOn: '2025-09-02', paidOn: '2025-10-02' },
  { customerId: 'cus-1', dueOn: '2025-02-24', paidOn: '2025-04-05' },
  { customerId: 'cus-1', dueOn: '2025-02-14', paidOn: '2025-04-05' },
  { customerId: 'cus-2', dueOn: '2026-04-05', paidOn: '2026-03-31' },
  { customerId: 'cus-2', dueOn: '2026-04-03', paidOn: '2026-03-31' },
];

const open = (customerId: string, number: string, dueOn: string): OpenInvoiceRef => ({
  invoiceId: number,
  customerId,
  number,
  currency: 'EUR',
  balanceMinor: 1000,
  dueOn,
});

describe('payment-date prediction (hand-computed)', () => {
  const predictions = predictPaymentDates(
    HISTORY,
    [
      open('cus-1', 'X1', '2026-04-10'),
      open('cus-1', 'X2', '2026-03-25'),
      open('cus-1', 'X3', '2026-03-01'),
      open('cus-1', 'X4', '2026-01-01'),
      open('cus-2', 'Y1', '2026-04-30'),
      open('cus-2', 'Y2', '2026-04-02'),
      open('cus-3', 'Z1', '2026-04-15'),
    ],
    AS_OF,
  );
  const byNumber = new Map(predictions.flatMap((p) => p.invoices.map((i) => [i.number, i])));

  it('takes a customer with enough history at its own recency-weighted median', () => {
    expect(predictions[0]).toMatchObject({ customerId: 'cus-1', source: 'customer', paidInvoices: 4, expectedDaysToPay: 10 });
    expect(byNumber.get('X1')).toMatchObject({ expectedOn: '2026-04-20', method: 'typical' }); // 04-10 + 10
    expect(byNumber.get('X2')).toMatchObject({ expectedOn: '2026-04-04', method: 'typical' }); // 03-25 + 10, still ahead
  });

  it('for an invoice already older than the habit, looks only at invoices that took longer', () => {
    // X3 is 30 days past due: of the history only 40 (.25) and 50 (.25) took longer → median 40
    expect(byNumber.get('X3')).toMatchObject({ expectedOn: '2026-04-10', method: 'late' });
    // X4 is 89 days past due, longer than any paid invoice: the day after the as-of date
    expect(byNumber.get('X4')).toMatchObject({ expectedOn: '2026-04-01', method: 'overdue' });
  });

  it('orders a customer’s invoices by expected date and names the next one', () => {
    expect(predictions[0]?.invoices.map((i) => i.number)).toEqual(['X4', 'X2', 'X3', 'X1']);
    expect(predictions[0]?.nextExpectedOn).toBe('2026-04-01');
  });

  it('falls back to the portfolio below three paid invoices, keeping early payment early', () => {
    expect(predictions[1]).toMatchObject({ customerId: 'cus-2', source: 'portfolio', paidInvoices: 2, expectedDaysToPay: -3 });
    expect(byNumber.get('Y1')).toMatchObject({ expectedOn: '2026-04-27', method: 'typical' }); // 3 days early
    // Y2: 04-02 − 3 = 03-30 has passed; it is −2 days past due; longer ones: 10 (1), 30 (.5),
    // 40 (.25), 50 (.25) → half of 2 reached at 10 → 04-12
    expect(byNumber.get('Y2')).toMatchObject({ expectedOn: '2026-04-12', method: 'late' });
    expect(predictions[2]).toMatchObject({ customerId: 'cus-3', source: 'portfolio', paidInvoices: 0 });
  });

  it('with no history at all, expects payment on the due date', () => {
    const [only] = predictPaymentDates([], [open('cus-9', 'N1', '2026-04-15')], AS_OF);
    expect(only).toMatchObject({ source: 'none', expectedDaysToPay: null, nextExpectedOn: '2026-04-15' });
  });

  it('ignores payments after the as-of date and honours the options', () => {
    const future: PaidInvoiceRecord = { customerId: 'cus-1', dueOn: '2026-03-01', paidOn: '2026-05-01' };
    const [withFuture] = predictPaymentDates([...HISTORY, future], [open('cus-1', 'X1', '2026-04-10')], AS_OF);
    expect(withFuture?.paidInvoices).toBe(4);
    // Equal weights (an enormous half-life): 10, 30, 40, 50 → half of 4 reached at 30
    const [flat] = predictPaymentDates(HISTORY, [open('cus-1', 'X1', '2026-04-10')], AS_OF, { halfLifeDays: 1e9 });
    expect(flat?.expectedDaysToPay).toBe(30);
    const [strict] = predictPaymentDates(HISTORY, [open('cus-1', 'X1', '2026-04-10')], AS_OF, { minHistory: 5 });
    expect(strict?.source).toBe('portfolio');
  });

  it('weighted median', () => {
    expect(weightedMedian([])).toBeNull();
    expect(
      weightedMedian([
        { days: 3, weight: 1 },
        { days: 1, weight: 1 },
        { days: 2, weight: 1 },
      ]),
    ).toBe(2);
    expect(
      weightedMedian([
        { days: 1, weight: 1 },
        { days: 100, weight: 3 },
      ]),
    ).toBe(100);
  });
});
