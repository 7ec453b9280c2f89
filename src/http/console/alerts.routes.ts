import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { acknowledgeAlerts } from '../../alerts/alert.service.js';
import type { CaseDependencies } from '../../cases/case-action.js';
import { InvalidInput, PermissionDenied } from '../../cases/errors.js';
import {
  ALERT_KINDS,
  ALERT_STATES,
  countAlertsByKind,
  pageAlerts,
  type AlertCursor,
  type AlertKindName,
  type AlertState,
} from '../../db/alerts.repository.js';
import { findUsersByIds } from '../../db/users.repository.js';
import { decodeCursor, encodeCursor, instantCursor, knownParameters, oneOfParameter } from '../query-params.js';
import type { ConsoleHelpers } from './console.plugin.js';

// The alerts page (managers): counts per kind, filters by kind and state, keyset paging with
// totals, and a bulk Acknowledge (one checkbox per alert, one POST).

const PAGE_SIZE = 50;
type Form = Record<string, string | undefined>;
const formOf = (request: FastifyRequest): Form => (request.body && typeof request.body === 'object' ? (request.body as Form) : {});

const encodeAlertCursor = (c: AlertCursor) => encodeCursor({ t: c.lastRaisedAt.toISOString(), id: c.id });
/** Only back to the alerts page itself. */
const backTo = (next: string | undefined) => (next && /^\/console\/alerts(\?[A-Za-z0-9=&%_.-]*)?$/.test(next) ? next : '/console/alerts');

export function registerAlertRoutes(app: FastifyInstance, helpers: ConsoleHelpers, deps: CaseDependencies): void {
  app.get<{ Querystring: { kind?: string; state?: string; cursor?: string; page?: string } }>(
    '/alerts',
    { config: { role: 'manager' } },
    async (request, reply) => {
      const q = knownParameters(request.query, ['kind', 'state', 'cursor', 'page']);
      const state: AlertState = oneOfParameter('state', q.state, ALERT_STATES) ?? 'open';
      const kind: AlertKindName | null = oneOfParameter('kind', q.kind, ALERT_KINDS) ?? null;
      const position = decodeCursor('cursor', q.cursor, instantCursor);
      const after = position ? { lastRaisedAt: new Date(position.t), id: position.id } : null;

      const [counts, page] = await Promise.all([
        countAlertsByKind(deps.prisma, state),
        pageAlerts(deps.prisma, { state, kind, after, limit: PAGE_SIZE }),
      ]);
      const total = kind === null ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(kind) ?? 0);
      const people = await findUsersByIds(
        deps.prisma,
        page.rows.flatMap((a) => (a.acknowledgedBy ? [a.acknowledgedBy] : [])),
      );
      const zone = helpers.readerZone(request);
      const when = (at: Date | null) => (at ? DateTime.fromJSDate(at).setZone(zone).toFormat('d LLL yyyy, HH:mm') : '');
      const url = (params: Record<string, string>) => {
        const search = new URLSearchParams(Object.entries({ state, kind: kind ?? '', ...params }).filter(([, v]) => v !== ''));
        return `/console/alerts${search.size > 0 ? `?${search.toString()}` : ''}`;
      };
      const self = url(q.cursor ? { cursor: q.cursor } : {});
      return helpers.page(request, reply, 'alerts', {
        title: 'Alerts',
        nav: 'alerts',
        timeZone: zone,
        state,
        kind,
        total,
        from: total === 0 ? 0 : page.before + 1,
        to: page.before + page.rows.length,
        back: self,
        states: ALERT_STATES.map((value) => ({ value, selected: value === state })),
        kinds: ALERT_KINDS.map((value) => ({
          value,
          label: value.replaceAll('_', ' '),
          count: counts.get(value) ?? 0,
          selected: value === kind,
          url: url({ kind: value }),
        })),
        allKindsUrl: url({ kind: '' }),
        alerts: page.rows.map((a) => ({
          ...a,
          kindLabel: a.kind.replaceAll('_', ' '),
          raised: when(a.lastRaisedAt),
          open: a.acknowledgedAt === null && a.resolvedAt === null,
          acknowledged: a.acknowledgedAt
            ? `${when(a.acknowledgedAt)} by ${a.acknowledgedBy === 'system' ? 'Arrears' : (people.get(a.acknowledgedBy ?? '') ?? 'a former user')}`
            : null,
          resolved: a.resolvedAt ? `${when(a.resolvedAt)}: ${a.resolvedReason ?? ''}` : null,
        })),
        anyOpen: page.rows.some((a) => a.acknowledgedAt === null && a.resolvedAt === null),
        firstUrl: page.before > 0 ? url({}) : null,
        nextUrl: page.next ? url({ cursor: encodeAlertCursor(page.next) }) : null,
      });
    },
  );

  app.post('/alerts/acknowledge', { config: { role: 'manager' } }, async (request, reply) => {
    const form = formOf(request);
    const back = backTo(form.next);
    // One checkbox per alert, named alert-<id> (the form parser keeps one value per name).
    const alertIds = Object.keys(form)
      .filter((key) => key.startsWith('alert-'))
      .map((key) => key.slice('alert-'.length));
    try {
      const { acknowledged, skipped } = await acknowledgeAlerts(deps, request.principal!.userId, { alertIds });
      const note = skipped > 0 ? ` ${skipped} were no longer open.` : '';
      return helpers.flashRedirect(reply, back, `${acknowledged.length} alert(s) acknowledged.${note}`);
    } catch (error) {
      if (error instanceof PermissionDenied) return helpers.errorPage(request, reply, 403, error.message);
      if (error instanceof InvalidInput) {
        const message = error.fields.map((f) => `${f.field.replace(/^alertIds(\.\d+)?$/, 'alerts')}: ${f.message}`).join('; ');
        return helpers.flashRedirect(reply, back, `Nothing was acknowledged: ${message}.`, true);
      }
      throw error;
    }
  });
}
