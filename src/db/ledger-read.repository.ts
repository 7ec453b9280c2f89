import type { CaseState, InvoiceStatus, Prisma, PrismaClient } from './client.js';

const dateOnly = (d: Date) => d.toISOString().slice(0, 10);

const CASE_INCLUDE = {
  customer: {
    select: {
      externalId: true,
      name: true,
      currency: true,
      timeZone: true,
      locale: true,
      doNotContact: true,
      assignedCollector: { select: { id: true, email: true, name: true } },
      legalHolds: { where: { releasedAt: null }, select: { id: true, placedAt: true, reason: true } },
      creditHolds: { where: { releasedAt: null }, select: { id: true, placedAt: true, reason: true } },
      bankruptcyFilings: { where: { dischargedAt: null, dismissedAt: null }, select: { id: true, filedOn: true, chapter: true } },
      promises: { where: { status: 'open' }, select: { id: true, amountMinor: true, currency: true, promisedOn: true } },
      disputes: {
        where: { resolvedAt: null },
        select: { id: true, reasonCode: true, openedAt: true, invoice: { select: { number: true } } },
      },
      invoices: { where: { status: 'open' }, select: { openBalanceMinor: true } },
    },
  },
} satisfies Prisma.CollectionCaseInclude;

type CaseWithCustomer = Prisma.CollectionCaseGetPayload<{ include: typeof CASE_INCLUDE }>;

function caseView(row: CaseWithCustomer) {
  const c = row.customer;
  return {
    customer_external_id: c.externalId,
    customer_name: c.name,
    state: row.state,
    pause_reason: row.pauseReason,
    paused_until: row.pausedUntil?.toISOString() ?? null,
    current_step: row.currentStep,
    next_look_at: row.nextLookAt?.toISOString() ?? null,
    collector: c.assignedCollector
      ? { id: c.assignedCollector.id, email: c.assignedCollector.email, name: c.assignedCollector.name }
      : null,
    currency: c.currency,
    open_balance_minor: c.invoices.reduce((sum, i) => sum + i.openBalanceMinor, 0n).toString(),
    open_invoices: c.invoices.length,
    do_not_contact: c.doNotContact,
    legal_hold: c.legalHolds[0]
      ? { id: c.legalHolds[0].id, placed_at: c.legalHolds[0].placedAt.toISOString(), reason: c.legalHolds[0].reason }
      : null,
    credit_hold: c.creditHolds[0]
      ? { id: c.creditHolds[0].id, placed_at: c.creditHolds[0].placedAt.toISOString(), reason: c.creditHolds[0].reason }
      : null,
    bankruptcy: c.bankruptcyFilings[0]
      ? { id: c.bankruptcyFilings[0].id, filed_on: dateOnly(c.bankruptcyFilings[0].filedOn), chapter: c.bankruptcyFilings[0].chapter }
      : null,
    open_promises: c.promises.map((p) => ({
      id: p.id,
      amount_minor: p.amountMinor.toString(),
      currency: p.currency,
      promised_date: dateOnly(p.promisedOn),
    })),
    open_disputes: c.disputes.map((d) => ({
      id: d.id,
      invoice_number: d.invoice.number,
      reason_code: d.reasonCode,
      opened_at: d.openedAt.toISOString(),
    })),
  };
}

export type CaseView = ReturnType<typeof caseView>;

/** Cases by customer external id (ascending), from after `cursor`, optionally of one state or collector. */
export async function listCases(
  prisma: PrismaClient,
  filter: { state?: CaseState; collectorId?: string },
  page: { limit: number; after: string | null },
): Promise<{ items: CaseView[]; next: string | null }> {
  const rows = await prisma.collectionCase.findMany({
    where: {
      ...(filter.state ? { state: filter.state } : {}),
      customer: {
        ...(filter.collectorId ? { assignedCollectorId: filter.collectorId } : {}),
        ...(page.after ? { externalId: { gt: page.after } } : {}),
      },
    },
    orderBy: { customer: { externalId: 'asc' } },
    take: page.limit + 1,
    include: CASE_INCLUDE,
  });
  const items = rows.slice(0, page.limit).map(caseView);
  return { items, next: rows.length > page.limit ? (items.at(-1)?.customer_external_id ?? null) : null };
}

export async function findCase(prisma: PrismaClient, customerExternalId: string): Promise<CaseView | null> {
  const row = await prisma.collectionCase.findFirst({ where: { customer: { externalId: customerExternalId } }, include: CASE_INCLUDE });
  return row ? caseView(row) : null;
}

const INVOICE_SELECT = {
  id: true,
  externalId: true,
  number: true,
  currency: true,
  amountMinor: true,
  openBalanceMinor: true,
  issuedOn: true,
  dueOn: true,
  status: true,
  dunningCycle: true,
  paidAt: true,
  writtenOffAt: true,
  writtenOffMinor: true,
  writeOffReason: true,
  customer: { select: { externalId: true } },
  disputes: { where: { resolvedAt: null }, select: { id: true } },
} satisfies Prisma.InvoiceSelect;

function invoiceView(row: Prisma.InvoiceGetPayload<{ select: typeof INVOICE_SELECT }>) {
  return {
    external_id: row.externalId,
    customer_external_id: row.customer.externalId,
    number: row.number,
    currency: row.currency,
    amount_minor: row.amountMinor.toString(),
    open_balance_minor: row.openBalanceMinor.toString(),
    issued_on: dateOnly(row.issuedOn),
    due_on: dateOnly(row.dueOn),
    status: row.status,
    dunning_cycle: row.dunningCycle,
    paid_at: row.paidAt?.toISOString() ?? null,
    written_off: row.writtenOffAt
      ? { at: row.writtenOffAt.toISOString(), amount_minor: (row.writtenOffMinor ?? 0n).toString(), reason: row.writeOffReason ?? '' }
      : null,
    disputed: row.disputes.length > 0,
  };
}

export type InvoiceView = ReturnType<typeof invoiceView>;

export async function listInvoices(
  prisma: PrismaClient,
  filter: { customerExternalId?: string; status?: InvoiceStatus; dueBefore?: string },
  page: { limit: number; after: string | null },
): Promise<{ items: InvoiceView[]; next: string | null }> {
  const rows = await prisma.invoice.findMany({
    where: {
      ...(filter.customerExternalId ? { customer: { externalId: filter.customerExternalId } } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.dueBefore ? { dueOn: { lt: new Date(`${filter.dueBefore}T00:00:00Z`) } } : {}),
      ...(page.after ? { externalId: { gt: page.after } } : {}),
    },
    orderBy: { externalId: 'asc' },
    take: page.limit + 1,
    select: INVOICE_SELECT,
  });
  const items = rows.slice(0, page.limit).map(invoiceView);
  return { items, next: rows.length > page.limit ? (items.at(-1)?.external_id ?? null) : null };
}

export async function findInvoice(prisma: PrismaClient, externalId: string): Promise<InvoiceView | null> {
  const row = await prisma.invoice.findUnique({ where: { externalId }, select: INVOICE_SELECT });
  return row ? invoiceView(row) : null;
}
