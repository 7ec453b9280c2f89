import type { LedgerInvoice, LedgerPayment, Settlement } from '../../../src/reports/ledger.js';

// One small ledger, aged at the end of 2026-03-31, that every report test computes by hand.
//
//   inv  customer  cur  amount   issued      due         settlements                        owed 03-31  days past due
//   A    cus-1     EUR  100000   2025-12-10  2026-01-09  40000 on 02-15                     60000       81 (61-90)
//   B    cus-1     EUR   50000   2026-01-20  2026-02-19  —                                  50000       40 (31-60)
//   C    cus-1     EUR   30000   2026-02-25  2026-03-27  —                                  30000        4 (1-30)
//   D    cus-1     EUR   20000   2026-03-20  2026-04-19  —                                  20000      -19 (current)
//   F    cus-1     EUR   25000   2026-03-05  2026-04-04  25000 on 03-25                         0
//   E    cus-2     EUR   15001   2025-10-01  2025-10-31  —                                  15001      151 (90+)
//   G    cus-2     EUR   40000   2026-01-05  2026-02-04  40000 on 04-10 (after the as-of)   40000       55 (31-60)
//   H    cus-2     EUR   10000   2026-02-01  2026-03-03  10000 on 03-10, reversed 03-20     10000       28 (1-30)
//   U    cus-2     USD    7000   2026-03-01  2026-03-31  —                                   7000        0 (current)
//
//   payment P9, cus-2, EUR 5000 received 2026-03-28, not applied: unapplied credit 5000.

export const AS_OF = '2026-03-31';
export const ZONE = 'Europe/Bucharest';

export function anInvoice(
  id: string,
  customerId: string,
  currency: string,
  amountMinor: number,
  issuedOn: string,
  dueOn: string,
  settlements: Settlement[] = [],
): LedgerInvoice {
  return { id, customerId, number: `INV-${id}`, currency, amountMinor, issuedOn, dueOn, timeZone: ZONE, settlements };
}

export const paid = (on: string, amountMinor: number, reversedOn: string | null = null): Settlement => ({ on, amountMinor, reversedOn });

export const INVOICES: LedgerInvoice[] = [
  anInvoice('A', 'cus-1', 'EUR', 100000, '2025-12-10', '2026-01-09', [paid('2026-02-15', 40000)]),
  anInvoice('B', 'cus-1', 'EUR', 50000, '2026-01-20', '2026-02-19'),
  anInvoice('C', 'cus-1', 'EUR', 30000, '2026-02-25', '2026-03-27'),
  anInvoice('D', 'cus-1', 'EUR', 20000, '2026-03-20', '2026-04-19'),
  anInvoice('F', 'cus-1', 'EUR', 25000, '2026-03-05', '2026-04-04', [paid('2026-03-25', 25000)]),
  anInvoice('E', 'cus-2', 'EUR', 15001, '2025-10-01', '2025-10-31'),
  anInvoice('G', 'cus-2', 'EUR', 40000, '2026-01-05', '2026-02-04', [paid('2026-04-10', 40000)]),
  anInvoice('H', 'cus-2', 'EUR', 10000, '2026-02-01', '2026-03-03', [paid('2026-03-10', 10000, '2026-03-20')]),
  anInvoice('U', 'cus-2', 'USD', 7000, '2026-03-01', '2026-03-31'),
];

export const PAYMENTS: LedgerPayment[] = [
  { id: 'P9', customerId: 'cus-2', currency: 'EUR', amountMinor: 5000, receivedOn: '2026-03-28', allocations: [] },
];

export const CUSTOMERS = [
  { id: 'cus-1', externalId: 'C-1', name: 'Northwind', locale: 'en', timeZone: ZONE },
  { id: 'cus-2', externalId: 'C-2', name: 'Contoso', locale: 'ro-RO', timeZone: ZONE },
];
