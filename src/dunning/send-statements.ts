import type { DateTime } from 'luxon';
import type { DunningRules } from '../core/rules.js';
import { isWindowOpen, windowFor } from '../core/send-window.js';
import type { PrismaClient } from '../db/client.js';
import {
  existingContactKeys,
  findStatementCandidates,
  recordStatementContact,
  type StatementCandidate,
} from '../db/statements.repository.js';
import type { QueuedContact } from '../db/decisions.repository.js';
import { loadStatement } from '../reports/sources/reports.source.js';
import { STATEMENT_TEMPLATE_ID, statementContext } from '../reports/statement.js';
import { renderMessage, type CompanyProfile, type TemplateCatalog } from '../templates/index.js';

export interface StatementDependencies {
  prisma: PrismaClient;
  catalog: TemplateCatalog;
  company: CompanyProfile;
  rules: DunningRules;
  unsubscribeUrl: (customerId: string) => string | null;
}

/** The statement period a local date falls in: `2026-03` (monthly) or `2026-W10` (weekly). */
export function statementPeriod(schedule: 'weekly' | 'monthly', localNow: DateTime): string {
  return schedule === 'monthly' ? localNow.toFormat('yyyy-MM') : localNow.toFormat("kkkk-'W'WW");
}

/**
 * Queues this period's statement of account for every customer on a schedule who owes something
 * and has not had it yet, once their send window is open. Run every hour: the period's idempotency
 * key makes each statement go once, on the first run inside the customer's window.
 */
export async function queueStatements(deps: StatementDependencies, now: DateTime): Promise<QueuedContact[]> {
  const candidates = await findStatementCandidates(deps.prisma);
  const due = candidates
    .filter((c) => isWindowOpen(now, windowFor(asCoreCustomer(c), deps.rules)))
    .map((c) => ({ candidate: c, key: `statement/${c.id}/${statementPeriod(c.schedule, now.setZone(c.timeZone))}` }));
  const sent = await existingContactKeys(
    deps.prisma,
    due.map((d) => d.key),
  );
  const queued: QueuedContact[] = [];
  for (const { candidate, key } of due.filter((d) => !sent.has(d.key))) {
    const statement = await loadStatement(deps.prisma, {
      asOf: now.setZone(candidate.timeZone).toISODate()!,
      externalId: candidate.externalId,
    });
    if (!statement || statement.lines.length === 0) continue;
    const context = statementContext(statement, {
      company: deps.company,
      now: now.setZone(candidate.timeZone).toISO()!,
      unsubscribeUrl: deps.unsubscribeUrl(candidate.id),
      optOutRequired: candidate.profile === 'consumer',
    });
    const email = renderMessage(deps.catalog, {
      templateId: STATEMENT_TEMPLATE_ID,
      channel: 'email',
      locale: statement.customer.locale,
      context,
    });
    const contact = await recordStatementContact(deps.prisma, {
      customerId: candidate.id,
      recipient: candidate.email,
      locale: email.locale,
      subject: email.subject,
      text: email.text,
      html: email.html,
      idempotencyKey: key,
      at: now.toJSDate(),
    });
    if (contact) queued.push(contact);
  }
  return queued;
}

function asCoreCustomer(c: StatementCandidate) {
  return { timeZone: c.timeZone, holidayCalendar: c.holidayCalendar, profile: c.profile };
}
