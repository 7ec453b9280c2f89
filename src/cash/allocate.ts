// Which open invoices a payment pays, and how much of each. Pure: the caller has locked the
// invoices and writes the result.

import { referencedNumbers } from './reference.js';

export interface OpenItem {
  id: string;
  number: string;
  currency: string;
  openBalanceMinor: bigint;
  /** `YYYY-MM-DD` */
  dueOn: string;
  /** `YYYY-MM-DD` */
  issuedOn: string;
}

export interface PaymentToAllocate {
  amountMinor: bigint;
  currency: string;
  reference: string | null;
}

export interface Allocation {
  invoiceId: string;
  amountMinor: bigint;
}

export interface AllocationPlan {
  /** `reference` when the reference named at least one open invoice, else `age`. */
  rule: 'reference' | 'age';
  allocations: Allocation[];
  /** What is left over: the customer's credit. */
  unappliedMinor: bigint;
}

/** Oldest first: due date, then issue date, then number. */
export function byAge(a: OpenItem, b: OpenItem): number {
  return compare(a.dueOn, b.dueOn) || compare(a.issuedOn, b.issuedOn) || compare(a.number, b.number);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Pays the invoices the reference names (oldest first) when it names any open one in the
 * payment's currency; otherwise the customer's oldest open invoices. Whatever is left once those
 * are paid stays unapplied: a payment that names invoices is not spread over others the payer
 * did not mention.
 */
export function planAllocation(payment: PaymentToAllocate, openItems: readonly OpenItem[]): AllocationPlan {
  const candidates = openItems.filter((item) => item.currency === payment.currency && item.openBalanceMinor > 0n);
  const named = new Set(
    referencedNumbers(
      payment.reference,
      candidates.map((item) => item.number),
    ),
  );
  const rule = named.size > 0 ? 'reference' : 'age';
  const targets = (rule === 'reference' ? candidates.filter((item) => named.has(item.number)) : candidates).sort(byAge);
  let remaining = payment.amountMinor;
  const allocations: Allocation[] = [];
  for (const item of targets) {
    if (remaining <= 0n) break;
    const amountMinor = item.openBalanceMinor < remaining ? item.openBalanceMinor : remaining;
    allocations.push({ invoiceId: item.id, amountMinor });
    remaining -= amountMinor;
  }
  return { rule, allocations, unappliedMinor: remaining };
}
