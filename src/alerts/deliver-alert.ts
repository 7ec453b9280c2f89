import { emailMessageId, type EmailTransport } from '../channels/email/email-transport.js';
import { findAlert, findManagers, isAlertRoundDelivered, type AlertRow } from '../db/alerts.repository.js';
import { appendAudit } from '../db/audit.repository.js';
import { findCustomerById } from '../db/customers.repository.js';
import { findOpenInvoices } from '../db/invoices.repository.js';
import { autoCommit } from '../db/transaction.js';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import { renderMessage, type CompanyProfile, type ManagerAlertKind, type TemplateCatalog } from '../templates/index.js';
import { customerMessageContext } from '../cases/customer-context.js';
import { postSignedJson, type WebhookTarget } from './webhook.js';

export interface AlertDeliveryDependencies {
  prisma: PrismaClient;
  email: EmailTransport;
  emailFrom: string;
  catalog: TemplateCatalog;
  company: CompanyProfile;
  /** `MANAGER_EMAILS`: used when no active user has the manager role. */
  managerEmails: readonly string[];
  webhook: WebhookTarget | null;
  clock: () => Date;
  logger: Logger;
}

/** Who receives alerts and digests: active managers, or the configured fallback addresses. */
export async function alertRecipients(
  deps: Pick<AlertDeliveryDependencies, 'prisma' | 'managerEmails'>,
): Promise<Array<{ email: string; name: string }>> {
  const managers = await findManagers(deps.prisma);
  if (managers.length > 0) return managers;
  return deps.managerEmails.map((email) => ({ email, name: 'Manager' }));
}

/** The JSON an alert webhook receives. */
export interface AlertEvent {
  event: 'manager_alert.raised';
  alert: {
    id: string;
    kind: string;
    message: string;
    round: number;
    raisedAt: string;
    lastRaisedAt: string;
    customer: { id: string; externalId: string | null; name: string | null } | null;
  };
}

export function alertEvent(alert: AlertRow): AlertEvent {
  return {
    event: 'manager_alert.raised',
    alert: {
      id: alert.id,
      kind: alert.kind,
      message: alert.message,
      round: alert.reRaiseCount,
      raisedAt: alert.raisedAt.toISOString(),
      lastRaisedAt: alert.lastRaisedAt.toISOString(),
      customer: alert.customerId ? { id: alert.customerId, externalId: alert.customerExternalId, name: alert.customerName } : null,
    },
  };
}

export type AlertDeliveryResult = { outcome: 'delivered'; emails: number; webhook: boolean } | { outcome: 'skipped'; reason: string };

/**
 * Delivers one round of an alert (round = its re-raise count): the `manager-alert` email to each
 * manager and the signed webhook, then marks the round delivered in the audit trail. An
 * acknowledged, superseded or already delivered round is skipped. Email Message-IDs are derived
 * from alert, round and recipient, so a retry's copies can be recognised.
 */
export async function deliverAlert(deps: AlertDeliveryDependencies, alertId: string, round: number): Promise<AlertDeliveryResult> {
  const alert = await findAlert(deps.prisma, alertId);
  if (!alert) return { outcome: 'skipped', reason: 'no such alert' };
  if (alert.acknowledgedAt) return { outcome: 'skipped', reason: 'acknowledged' };
  if (alert.reRaiseCount !== round) return { outcome: 'skipped', reason: 'superseded by a later round' };
  if (await isAlertRoundDelivered(deps.prisma, alertId, round)) return { outcome: 'skipped', reason: 'already delivered' };

  const now = deps.clock();
  const customer = alert.customerId ? await findCustomerById(deps.prisma, alert.customerId) : null;
  const invoices = customer ? await findOpenInvoices(deps.prisma, customer.id) : [];
  const base = customerMessageContext(
    customer ?? { name: deps.company.name, locale: 'en', timeZone: 'UTC' },
    invoices,
    deps.company,
    now,
    'manager-alert',
  );
  const recipients = await alertRecipients(deps);
  for (const manager of recipients) {
    const email = renderMessage(deps.catalog, {
      templateId: 'manager-alert',
      channel: 'email',
      locale: 'en',
      context: {
        ...base,
        customer: { ...base.customer, locale: 'en' },
        // Kinds the template has no wording for fall back to its generic title.
        alert: { kind: alert.kind as ManagerAlertKind, managerName: manager.name, detail: reRaisedDetail(alert), caseUrl: null },
      },
    });
    await deps.email.send({
      from: deps.emailFrom,
      to: manager.email,
      subject: round > 0 ? `${email.subject} (reminder ${round})` : email.subject,
      text: email.text,
      html: email.html,
      messageId: emailMessageId(`alert:${alert.id}:${round}:${manager.email}`, deps.emailFrom),
      headers: { 'X-Arrears-Alert': alert.id },
    });
  }
  if (recipients.length === 0) deps.logger.warn({ alertId }, 'no manager to alert: add a manager user or set MANAGER_EMAILS');
  if (deps.webhook) await postSignedJson(deps.webhook, 'manager_alert.raised', `${alert.id}:${round}`, alertEvent(alert), deps.clock());
  await appendAudit(autoCommit(deps.prisma), {
    entityType: 'manager_alert',
    entityId: alert.id,
    action: 'alert.delivered',
    actor: 'system',
    reason: null,
    after: { round, emails: recipients.length, webhook: deps.webhook !== null },
    at: deps.clock(),
  });
  return { outcome: 'delivered', emails: recipients.length, webhook: deps.webhook !== null };
}

function reRaisedDetail(alert: AlertRow): string {
  if (alert.reRaiseCount === 0) return alert.message;
  return `${alert.message} (raised ${alert.raisedAt.toISOString()}, not yet acknowledged; reminder ${alert.reRaiseCount})`;
}
