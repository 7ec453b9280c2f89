import { DateTime } from 'luxon';
import type { CaseInput, ContactRecord, ContactStatus, OpenInvoice } from '../core/domain.js';
import type { PrismaClient, PrismaTransaction } from './client.js';

type Db = PrismaClient | PrismaTransaction;

/** How far back the core needs contact history: a full dunning cycle plus its caps. */
const HISTORY_DAYS = 400;

/** One case as the step job needs it: the core's input plus what a message needs to go out. */
export interface CaseSnapshot {
  caseId: string;
  /** Optimistic-lock version: the decision is written only if the case is unchanged since. */
  version: number;
  customerName: string;
  input: CaseInput;
  /** The addresses a reminder goes to, or null when the customer has none usable. */
  recipients: { email: string | null; mobile: string | null };
}

const isoDate = (date: Date): string => date.toISOString().slice(0, 10);

/** Reads, in one round of set-based queries, everything the decision core needs for these cases. */
export async function loadCaseSnapshots(
  db: Db,
  caseIds: readonly string[],
  now: DateTime,
): Promise<CaseSnapshot[]> {
  if (caseIds.length === 0) return [];
  const historySince = now.minus({ days: HISTORY_DAYS }).toJSDate();
  const rows = await db.collectionCase.findMany({
    where: { id: { in: [...caseIds] } },
    include: {
      customer: {
        include: {
          contactPoints: { where: { bouncedAt: null, invalidAt: null } },
          invoices: { where: { status: 'open', openBalanceMinor: { gt: 0 } } },
          disputes: { where: { resolvedAt: null } },
          promises: { where: { status: { in: ['open', 'broken'] } } },
          paymentPlans: {
            where: { status: 'active' },
            include: { instalments: { orderBy: { sequence: 'asc' } } },
            take: 1,
          },
          legalHolds: { where: { releasedAt: null }, select: { id: true }, take: 1 },
          creditHolds: { where: { releasedAt: null }, select: { id: true }, take: 1 },
          bankruptcyFilings: {
            where: { dischargedAt: null, dismissedAt: null },
            select: { id: true },
            take: 1,
          },
          dunningActions: {
            where: { decidedAt: { gte: historySince } },
            include: { invoices: true, contact: { select: { status: true } } },
          },
        },
      },
    },
  });

  return rows.map((row) => {
    const customer = row.customer;
    const email = pick(customer.contactPoints, 'email');
    const mobile = pick(customer.contactPoints.filter((point) => point.isMobile), 'phone');
    const invoices: OpenInvoice[] = customer.invoices.map((invoice) => ({
      id: invoice.id,
      number: invoice.number,
      currency: invoice.currency,
      amountMinor: Number(invoice.amountMinor),
      balanceMinor: Number(invoice.openBalanceMinor),
      issuedOn: isoDate(invoice.issueDate),
      dueOn: isoDate(invoice.dueDate),
      dunningCycle: invoice.dunningCycle,
    }));
    const plan = customer.paymentPlans[0];
    const history: ContactRecord[] = customer.dunningActions.map((action) => ({
      channel: action.type,
      at: DateTime.fromJSDate(action.decidedAt, { zone: 'utc' }),
      policyId: action.policyId,
      stepId: action.stepId,
      invoices: action.invoices.map((ref) => ({
        invoiceId: ref.invoiceId,
        cycle: ref.cycle,
        stepId: ref.stepId,
        instalmentId: ref.instalmentId ?? undefined,
      })),
      status: historyStatus(action.contact?.status),
    }));
    const input: CaseInput = {
      customer: {
        id: customer.id,
        externalId: customer.externalId,
        timeZone: customer.timeZone,
        locale: customer.locale,
        holidayCalendar: customer.holidayCalendar,
        profile: customer.contactProfile,
        consent: {
          hasEmail: email !== null,
          emailOptedOut: customer.emailOptedOutAt !== null,
          hasMobile: mobile !== null,
          smsConsent: customer.smsConsent && customer.smsOptedOutAt === null,
        },
        doNotContact: customer.doNotContact,
        policyId: customer.dunningPolicyId,
        collectorId: customer.assignedCollectorId,
      },
      invoices,
      disputes: customer.disputes.map((d) => ({ id: d.id, invoiceId: d.invoiceId, status: 'open' })),
      promises: customer.promises.map((p) => ({
        id: p.id,
        amountMinor: Number(p.amountMinor),
        currency: p.currency,
        promisedOn: isoDate(p.promisedDate),
        status: p.status,
      })),
      paymentPlan: plan
        ? {
            id: plan.id,
            status: plan.status,
            currency: plan.currency,
            invoiceIds: invoices.filter((i) => i.currency === plan.currency).map((i) => i.id),
            instalments: plan.instalments.map((i) => ({
              id: i.id,
              dueOn: isoDate(i.dueDate),
              amountMinor: Number(i.amountMinor),
              paid: i.status === 'paid' || i.paidMinor >= i.amountMinor,
            })),
          }
        : null,
      holds: {
        legalHold: customer.legalHolds.length > 0 || row.state === 'legal_hold',
        bankruptcy: customer.bankruptcyFilings.length > 0,
        creditHold: customer.creditHolds.length > 0,
        manualPause: row.state === 'paused' && row.pauseReason === 'manual',
      },
      history,
      now,
    };
    return {
      caseId: row.id,
      version: row.version,
      customerName: customer.name,
      input,
      recipients: { email: email?.value ?? null, mobile: mobile?.value ?? null },
    };
  });
}

/** Billing contact first, then primary, then any. */
function pick<T extends { kind: string; role: string; value: string }>(points: T[], kind: string): T | null {
  const candidates = points.filter((point) => point.kind === kind);
  const preference = ['billing', 'primary'];
  const rank = (role: string) => (preference.includes(role) ? preference.indexOf(role) : preference.length);
  return candidates.sort((a, b) => rank(a.role) - rank(b.role))[0] ?? null;
}

/** Non-message actions (holds, tasks, alerts) have no contact row: they happened when recorded. */
function historyStatus(status: string | undefined): ContactStatus {
  switch (status) {
    case undefined:
    case 'sent':
    case 'delivered':
      return 'sent';
    case 'queued':
    case 'sending':
      return 'queued';
    case 'bounced':
      return 'bounced';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'failed';
  }
}
