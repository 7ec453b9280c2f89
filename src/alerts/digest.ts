import { DateTime } from 'luxon';
import { emailMessageId } from '../channels/email/email-transport.js';
import { listAlertRows, type AlertRow } from '../db/alerts.repository.js';
import { appendAudit } from '../db/audit.repository.js';
import { autoCommit } from '../db/transaction.js';
import { escapeHtml } from '../cases/credit-hold.service.js';
import { alertRecipients, type AlertDeliveryDependencies } from './deliver-alert.js';

/** Section order of the digest. */
export const DIGEST_KIND_ORDER = [
  'legal_hold',
  'bankruptcy',
  'broken_promise',
  'credit_limit_crossed',
  'balance_threshold',
  'channels_failing',
  'dispute_opened',
  'other',
] as const;

const TITLES: Readonly<Record<string, string>> = {
  legal_hold: 'Legal holds',
  bankruptcy: 'Bankruptcy filings',
  broken_promise: 'Broken promises',
  credit_limit_crossed: 'Credit limits crossed',
  balance_threshold: 'Balances over threshold',
  channels_failing: 'All channels failing',
  dispute_opened: 'Disputes opened',
  other: 'Other',
};

export interface DigestGroup {
  kind: string;
  title: string;
  alerts: AlertRow[];
}

/** Pure: alerts grouped by kind (fixed order), open ones first within a group, then newest. */
export function groupAlerts(alerts: readonly AlertRow[]): DigestGroup[] {
  const rank = (kind: string) => {
    const i = (DIGEST_KIND_ORDER as readonly string[]).indexOf(kind);
    return i < 0 ? DIGEST_KIND_ORDER.length : i;
  };
  const kinds = [...new Set(alerts.map((a) => a.kind))].sort((a, b) => rank(a) - rank(b));
  return kinds.map((kind) => ({
    kind,
    title: TITLES[kind] ?? kind,
    alerts: alerts
      .filter((a) => a.kind === kind)
      .sort(
        (a, b) =>
          Number(a.acknowledgedAt !== null) - Number(b.acknowledgedAt !== null) || b.lastRaisedAt.getTime() - a.lastRaisedAt.getTime(),
      ),
  }));
}

export interface DigestMessage {
  subject: string;
  text: string;
  html: string;
}

/** Pure: one manager's digest for `date` (ISO day). */
export function buildDigest(managerName: string, alerts: readonly AlertRow[], date: string): DigestMessage {
  const groups = groupAlerts(alerts);
  const open = alerts.filter((a) => a.acknowledgedAt === null).length;
  const line = (a: AlertRow) =>
    `${a.customerName ?? '(no customer)'}${a.customerExternalId ? ` (${a.customerExternalId})` : ''}: ${a.message}` +
    ` [raised ${a.raisedAt.toISOString()}${a.reRaiseCount > 0 ? `, re-raised ${a.reRaiseCount}x` : ''}${a.acknowledgedAt ? ', acknowledged' : ', open'}; id ${a.id}]`;
  const text = [
    `Hello ${managerName},`,
    '',
    `${open} open alert${open === 1 ? '' : 's'} (${alerts.length} in this digest) on ${date}.`,
    ...groups.flatMap((g) => ['', `${g.title} (${g.alerts.length})`, ...g.alerts.map((a) => `- ${line(a)}`)]),
    '',
    'Acknowledge with: arrears alerts ack <id> --actor <your email>',
  ].join('\n');
  const html = [
    `<p>Hello ${escapeHtml(managerName)},</p>`,
    `<p>${open} open alert${open === 1 ? '' : 's'} (${alerts.length} in this digest) on ${escapeHtml(date)}.</p>`,
    ...groups.map(
      (g) =>
        `<h3>${escapeHtml(g.title)} (${g.alerts.length})</h3><ul>${g.alerts.map((a) => `<li>${escapeHtml(line(a))}</li>`).join('')}</ul>`,
    ),
  ].join('\n');
  return { subject: `[Arrears] Daily alert digest ${date}: ${open} open`, text, html };
}

/**
 * Sends each manager the digest: every open alert and every alert raised in the last 24 hours,
 * grouped by kind. Nothing is sent when there is nothing to report. Returns the emails sent.
 */
export async function sendDigests(deps: AlertDeliveryDependencies, zone: string): Promise<number> {
  const now = deps.clock();
  const alerts = await listAlertRows(deps.prisma, { mode: 'digest', since: new Date(now.getTime() - 24 * 3_600_000), limit: 1_000 });
  if (alerts.length === 0) return 0;
  const date = DateTime.fromJSDate(now, { zone }).toISODate()!;
  const recipients = await alertRecipients(deps);
  for (const manager of recipients) {
    const digest = buildDigest(manager.name, alerts, date);
    await deps.email.send({
      from: deps.emailFrom,
      to: manager.email,
      ...digest,
      messageId: emailMessageId(`alert-digest:${date}:${manager.email}`, deps.emailFrom),
    });
  }
  await appendAudit(autoCommit(deps.prisma), {
    entityType: 'alert_digest',
    entityId: date,
    action: 'alert.digest_sent',
    actor: 'system',
    reason: null,
    after: { recipients: recipients.length, alerts: alerts.length },
    at: deps.clock(),
  });
  return recipients.length;
}
