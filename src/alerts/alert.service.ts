import { z } from 'zod';
import {
  acknowledgeAlertRow,
  acknowledgeAlertRows,
  findAlert,
  listAlertRows,
  raiseAuditedAlert,
  type AlertKindName,
  type AlertRow,
} from '../db/alerts.repository.js';
import { inTransaction } from '../db/transaction.js';
import { resolveActor, runCaseAction, type CaseDependencies } from '../cases/case-action.js';
import { InvalidTransition, NotFound } from '../cases/errors.js';
import { assertMayPerform } from '../cases/permissions.js';

/**
 * Raises an alert as `system` (detections by the sweep, other modules): one open alert per
 * customer and kind; delivery is handed out when a new one is created. Returns the alert id and
 * whether it is new.
 */
export async function raiseSystemAlert(
  deps: CaseDependencies,
  alert: { kind: AlertKindName; customerId: string | null; message: string },
): Promise<{ id: string; created: boolean }> {
  const at = deps.clock();
  const raised = await inTransaction(deps.prisma, ({ sql }) => raiseAuditedAlert(sql, { ...alert, at }, 'system'));
  if (raised.created) {
    await deps.effects
      .deliverAlerts([{ id: raised.id, round: 0 }])
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, alertId: raised.id }, 'alert recorded; the sweep will enqueue its delivery'),
      );
  }
  return raised;
}

export const acknowledgeAlertInput = z.object({ alertId: z.uuid(), note: z.string().trim().max(2_000).optional() });

/** Acknowledges an alert (manager): it is no longer re-raised and leaves the digest. */
export function acknowledgeAlert(
  deps: CaseDependencies,
  actor: string,
  input: z.input<typeof acknowledgeAlertInput>,
): Promise<{ alertId: string }> {
  return runCaseAction(deps, actor, 'alert.acknowledge', acknowledgeAlertInput, input, async (ctx) => {
    const alert = await findAlert(ctx.tx, ctx.input.alertId);
    if (!alert) throw new NotFound('alert', ctx.input.alertId);
    if (!(await acknowledgeAlertRow(ctx.sql, alert.id, ctx.actor.id, ctx.at))) {
      throw new InvalidTransition('alert.acknowledge', 'the alert is already acknowledged');
    }
    await ctx.audit({
      entityType: 'manager_alert',
      entityId: alert.id,
      action: 'alert.acknowledged',
      reason: ctx.input.note ?? null,
      before: { acknowledgedAt: null },
      after: { acknowledgedAt: ctx.at.toISOString(), acknowledgedBy: ctx.actor.id },
    });
    return { alertId: alert.id };
  });
}

/** Lists alerts (any role): `open` ones, or `all` raised since an instant. */
export async function listAlerts(
  deps: CaseDependencies,
  actor: string,
  filter: { mode: 'open' | 'all'; since?: Date | null },
): Promise<AlertRow[]> {
  assertMayPerform(await resolveActor(deps.prisma, actor, 'alert.list'), 'alert.list');
  return listAlertRows(deps.prisma, filter);
}

export const acknowledgeAlertsInput = z.object({
  alertIds: z.array(z.uuid('is not an alert id')).min(1, 'choose at least one alert').max(500, 'at most 500 at once'),
});

/**
 * Acknowledges several alerts at once (manager), in one transaction, each with its audit event;
 * those already acknowledged or resolved are left as they are and counted apart.
 */
export function acknowledgeAlerts(
  deps: CaseDependencies,
  actor: string,
  input: z.input<typeof acknowledgeAlertsInput>,
): Promise<{ acknowledged: string[]; skipped: number }> {
  return runCaseAction(deps, actor, 'alert.acknowledge', acknowledgeAlertsInput, input, async (ctx) => {
    const ids = [...new Set(ctx.input.alertIds)];
    const acknowledged = await acknowledgeAlertRows(ctx.sql, ids, ctx.actor.id, ctx.at);
    for (const id of acknowledged) {
      await ctx.audit({
        entityType: 'manager_alert',
        entityId: id,
        action: 'alert.acknowledged',
        before: { acknowledgedAt: null },
        after: { acknowledgedAt: ctx.at.toISOString(), acknowledgedBy: ctx.actor.id },
      });
    }
    return { acknowledged, skipped: ids.length - acknowledged.length };
  });
}
