import { describe, expect, it } from 'vitest';
import { planAllocation, type OpenItem } from '../../../src/cash/allocate.js';

let next = 0;
function anOpenItem(overrides: Partial<OpenItem> = {}): OpenItem {
  next += 1;
  return {
    id: `inv-${next}`,
    number: `F-${next}`,
    currency: 'RON',
    openBalanceMinor: 10_000n,
    dueOn: '2026-02-01',
    issuedOn: '2026-01-01',
    ...overrides,
  };
}

describe('planAllocation', () => {
  const older = anOpenItem({ id: 'older', number: 'F-10', dueOn: '2026-01-15', openBalanceMinor: 5_000n });
  const newer = anOpenItem({ id: 'newer', number: 'F-11', dueOn: '2026-02-15', openBalanceMinor: 8_000n });
  const newest = anOpenItem({ id: 'newest', number: 'F-12', dueOn: '2026-03-15', openBalanceMinor: 3_000n });
  const items = [newest, newer, older];

  it('pays the named invoices only, leaving the rest as credit', () => {
    expect(planAllocation({ amountMinor: 10_000n, currency: 'RON', reference: 'F-12' }, items)).toEqual({
      rule: 'reference',
      allocations: [{ invoiceId: 'newest', amountMinor: 3_000n }],
      unappliedMinor: 7_000n,
    });
  });

  it('pays the oldest first when the reference names nothing open', () => {
    expect(planAllocation({ amountMinor: 9_000n, currency: 'RON', reference: 'thanks' }, items)).toEqual({
      rule: 'age',
      allocations: [
        { invoiceId: 'older', amountMinor: 5_000n },
        { invoiceId: 'newer', amountMinor: 4_000n },
      ],
      unappliedMinor: 0n,
    });
  });

  it('breaks due-date ties by issue date, then number', () => {
    const a = anOpenItem({ id: 'a', number: 'B-2', issuedOn: '2026-01-02' });
    const b = anOpenItem({ id: 'b', number: 'B-1', issuedOn: '2026-01-02' });
    const c = anOpenItem({ id: 'c', number: 'A-9', issuedOn: '2026-01-03' });
    const plan = planAllocation({ amountMinor: 30_000n, currency: 'RON', reference: null }, [c, a, b]);
    expect(plan.allocations.map((x) => x.invoiceId)).toEqual(['b', 'a', 'c']);
  });

  it('pays part of an invoice', () => {
    const plan = planAllocation({ amountMinor: 1_234n, currency: 'RON', reference: 'F-11' }, items);
    expect(plan.allocations).toEqual([{ invoiceId: 'newer', amountMinor: 1_234n }]);
  });

  it('keeps an overpayment as credit', () => {
    expect(planAllocation({ amountMinor: 20_000n, currency: 'RON', reference: null }, items).unappliedMinor).toBe(4_000n);
  });

  it('never applies across currencies', () => {
    const euro = anOpenItem({ id: 'euro', currency: 'EUR', number: 'E-1' });
    expect(planAllocation({ amountMinor: 100n, currency: 'USD', reference: 'E-1' }, [euro])).toEqual({
      rule: 'age',
      allocations: [],
      unappliedMinor: 100n,
    });
  });
});
