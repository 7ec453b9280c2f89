import type { Db } from './transaction.js';

/** Everything a case file shows, as stored. */
export async function loadCaseFileRows(db: Db, customerId: string) {
  const customer = await db.customer.findUnique({
    where: { id: customerId },
    include: {
      contactPoints: { orderBy: [{ kind: 'asc' }, { value: 'asc' }] },
      collectionCase: true,
      invoices: { where: { status: 'open', openBalanceMinor: { gt: 0n } }, orderBy: [{ dueOn: 'asc' }, { number: 'asc' }] },
      contacts: {
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        include: {
          statusEvents: { orderBy: [{ at: 'asc' }, { id: 'asc' }] },
          invoices: { include: { invoice: { select: { number: true } } } },
          interestClaims: { include: { invoice: { select: { number: true } } }, orderBy: { invoice: { number: 'asc' } } },
        },
      },
      promises: { orderBy: { createdAt: 'asc' } },
      disputes: { orderBy: { openedAt: 'asc' }, include: { invoice: { select: { number: true } } } },
      paymentPlans: { orderBy: { createdAt: 'asc' }, include: { instalments: { orderBy: { sequence: 'asc' } } } },
      legalHolds: { orderBy: { placedAt: 'asc' } },
      creditHolds: { orderBy: { placedAt: 'asc' } },
      bankruptcyFilings: { orderBy: { recordedAt: 'asc' } },
    },
  });
  return customer;
}

export type CaseFileRows = NonNullable<Awaited<ReturnType<typeof loadCaseFileRows>>>;

/** What the console's action forms of a customer need: settings, holds, open invoices and their disputes. */
export function loadActionFormRows(db: Db, customerId: string) {
  return db.customer.findUnique({
    where: { id: customerId },
    select: {
      currency: true,
      timeZone: true,
      locale: true,
      policyId: true,
      assignedCollector: { select: { email: true } },
      profile: true,
      holidayCalendar: true,
      doNotContact: true,
      statementSchedule: true,
      salesContactEmail: true,
      interestRule: true,
      interestContractRateBp: true,
      collectionCase: { select: { state: true } },
      legalHolds: { where: { releasedAt: null }, select: { id: true } },
      creditHolds: { where: { releasedAt: null }, select: { id: true } },
      bankruptcyFilings: { where: { dischargedAt: null, dismissedAt: null }, select: { id: true } },
      promises: {
        where: { status: 'open' },
        orderBy: { promisedOn: 'asc' },
        select: { id: true, amountMinor: true, currency: true, promisedOn: true },
      },
      paymentPlans: { where: { status: 'active' }, select: { id: true } },
      invoices: {
        where: { status: 'open' },
        orderBy: [{ dueOn: 'asc' }, { number: 'asc' }],
        select: { number: true, currency: true, openBalanceMinor: true, disputes: { where: { resolvedAt: null }, select: { id: true } } },
      },
    },
  });
}
