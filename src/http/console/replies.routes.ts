import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { CaseDependencies } from '../../cases/case-action.js';
import { InvalidInput, InvalidTransition, NotFound, PermissionDenied } from '../../cases/errors.js';
import { findOpenSuggestions, findRepliesAwaiting, findUnmatchedReplies, type ReplyRow } from '../../db/replies-page.repository.js';
import type { PrismaClient } from '../../db/client.js';
import type { ReplyDependencies } from '../../replies/receive.js';
import { assignReply, confirmSuggestion, dismissSuggestion, markHandled } from '../../replies/reply-actions.js';
import { toMajorString } from '../../core/money.js';
import { amount, twoZones } from './format.js';
import type { ConsoleHelpers } from './console.plugin.js';

// The Replies page (/console/replies): what customers wrote back that waits for a person —
// replies from a person not yet handled (their customer's automated contact is paused), the
// promises and disputes suggested from replies, and replies no customer could be found for.
// Replies are shown as their plain text: the sanitised HTML is kept for the case file, and
// nothing a sender wrote can load remote content here (the CSP allows images from self only).
// Its one-click actions are POST forms (CSRF checked by the console) that come back here with
// a flash message: confirm (after correcting, if need be) or dismiss a suggestion, mark a reply
// handled, assign an unmatched one. A refused form comes back as typed, the field named next to it.

const EXCERPT = 600;
const PAGE = '/console/replies';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The fields a collector may correct on a suggestion before confirming it; errors on others are shown above the form. */
const CORRECTABLE = ['promisedOn', 'amount', 'allowAboveBalance', 'invoices'];
/** What a refused form comes back with, as typed. */
const TYPED_FIELDS = [...CORRECTABLE, 'customer'];

/** What the Replies page's actions need (from the composition root); absent: the page is read-only. */
export interface ReplyActionDependencies {
  replies: ReplyDependencies;
  /** Confirming a suggestion records the promise or dispute through the case services. */
  cases: CaseDependencies;
}

type Form = Record<string, string | undefined>;
const formOf = (request: FastifyRequest): Form => (request.body && typeof request.body === 'object' ? (request.body as Form) : {});

/** Answers a refused action: the reason as a flash (fields next to the form they belong to), or a 403 page. */
function refusal(helpers: ConsoleHelpers, request: FastifyRequest, reply: FastifyReply, formName: string, error: unknown, values?: Form) {
  if (error instanceof PermissionDenied) return helpers.errorPage(request, reply, 403, `You cannot do this: ${error.message}.`);
  if (error instanceof InvalidInput) {
    const fields = Object.fromEntries(error.fields.map((f) => [f.field, f.message]));
    return helpers.flashRedirect(
      reply,
      PAGE,
      `Nothing was changed: ${error.fields.map((f) => `${f.field} ${f.message}`).join('; ')}.`,
      true,
      { form: formName, fields, ...(values ? { values: values as Record<string, string> } : {}) },
    );
  }
  if (error instanceof InvalidTransition || error instanceof NotFound) return helpers.flashRedirect(reply, PAGE, error.message, true);
  throw error;
}

export function registerReplyRoutes(
  app: FastifyInstance,
  helpers: ConsoleHelpers,
  deps: { prisma: PrismaClient; actions: ReplyActionDependencies | null },
): void {
  app.get('/replies', { config: { role: 'collector' } }, async (request, reply) => {
    const zone = helpers.readerZone(request);
    const flash = helpers.flash(request);
    const [awaiting, suggestions, unmatched] = await Promise.all([
      findRepliesAwaiting(deps.prisma),
      findOpenSuggestions(deps.prisma),
      findUnmatchedReplies(deps.prisma),
    ]);
    const canAct = deps.actions !== null;
    const show = (row: ReplyRow) => ({
      id: row.id,
      received: twoZones(row.receivedAt, row.customer?.timeZone ?? zone, zone),
      sender: row.sender ?? 'unknown sender',
      subject: row.subject ?? (row.channel === 'sms' ? 'Text message (SMS)' : '(no subject)'),
      excerpt: row.bodyText.trim().length > EXCERPT ? `${row.bodyText.trim().slice(0, EXCERPT)}…` : row.bodyText.trim(),
      classification: row.classification.replace('_', ' '),
      reason: row.reason,
      customer: row.customer && { ...row.customer, url: `/console/customers/${encodeURIComponent(row.customer.externalId)}` },
      pausedThrough: row.pausedThrough ? DateTime.fromJSDate(row.pausedThrough, { zone: 'utc' }).toISODate() : null,
      canAct,
      url: `${PAGE}/${row.id}`,
    });
    const formState = (name: string) =>
      flash?.form?.form === name ? { errors: flash.form.fields, values: flash.form.values ?? {} } : { errors: {}, values: {} };
    return helpers.page(request, reply, 'replies', {
      title: 'Replies',
      nav: 'replies',
      timeZone: zone,
      awaiting: awaiting.map(show),
      suggestions: suggestions.map((s) => {
        const promisedOn = s.promisedOn ? DateTime.fromJSDate(s.promisedOn, { zone: 'utc' }).toISODate() : null;
        const state = formState(`suggestion-${s.id}`);
        // What confirming records, as the collector may correct it (a refused correction comes back as typed).
        const suggested = {
          promisedOn: promisedOn ?? '',
          amount: s.currency ? toMajorString(s.amountMinor ?? s.openBalanceMinor, s.currency) : '',
          invoices: s.invoiceNumbers.join(', '),
        };
        return {
          id: s.id,
          kind: s.kind,
          isPromise: s.kind === 'promise',
          promisedOn,
          amount: s.amountMinor !== null && s.currency ? amount(s.amountMinor, s.currency) : null,
          currency: s.currency,
          amountIsBalance: s.amountMinor === null,
          reply: show(s.reply),
          canAct,
          url: `${PAGE}/suggestions/${s.id}`,
          errors: state.errors,
          values: { ...suggested, ...state.values },
          otherErrors: Object.entries(state.errors)
            .filter(([field]) => !CORRECTABLE.includes(field))
            .map(([field, message]) => `${field}: ${message}`),
        };
      }),
      unmatched: unmatched.map((row) => ({ ...show(row), ...formState(`assign-${row.id}`) })),
    });
  });

  const actions = deps.actions;
  if (actions === null) return;

  const action = (path: string, formName: string, run: (actor: string, id: string, form: Form) => Promise<string>) =>
    app.post<{ Params: { id: string } }>(path, { config: { role: 'collector' } }, async (request, reply) => {
      const form = formOf(request);
      const { id } = request.params;
      if (!UUID.test(id)) return helpers.errorPage(request, reply, 400, `id: ${id.slice(0, 60)} is not a reply or suggestion id.`);
      try {
        return helpers.flashRedirect(reply, PAGE, await run(request.principal!.userId, id, form));
      } catch (error) {
        const typed = Object.fromEntries(
          TYPED_FIELDS.filter((name) => form[name] !== undefined).map((name) => [name, form[name]!.slice(0, 1_000)]),
        );
        return refusal(helpers, request, reply, `${formName}-${id}`, error, Object.keys(typed).length > 0 ? typed : undefined);
      }
    });

  action('/replies/suggestions/:id/confirm', 'suggestion', async (actor, suggestionId, form) => {
    const typed = (name: string) => form[name]?.trim() || undefined;
    const invoices = typed('invoices')
      ?.split(/[\s,;]+/)
      .filter((n) => n !== '');
    const confirmed = await confirmSuggestion(actions.replies, actions.cases, actor, {
      suggestionId,
      ...(typed('promisedOn') && { promisedOn: typed('promisedOn') }),
      ...(typed('amount') && { amount: typed('amount') }),
      ...(form.allowAboveBalance === 'yes' && { allowAboveBalance: true }),
      ...(invoices && { invoices }),
    });
    return confirmed.kind === 'promise'
      ? 'Promise to pay recorded from the reply, and the reply handled: the promise shows on the customer page.'
      : `Dispute opened from the reply (${confirmed.resultIds.length} invoice${confirmed.resultIds.length === 1 ? '' : 's'}): disputed invoices leave dunning.`;
  });
  action('/replies/suggestions/:id/dismiss', 'suggestion', async (actor, suggestionId) =>
    (await dismissSuggestion(actions.replies, actor, suggestionId))
      ? 'Suggestion dismissed: nothing was recorded.'
      : 'That suggestion was already decided.',
  );
  action('/replies/:id/handled', 'reply', async (actor, replyId) =>
    (await markHandled(actions.replies, actor, replyId))
      ? 'Reply marked handled: automated contact resumes at the next look.'
      : 'That reply was already handled.',
  );
  action('/replies/:id/assign', 'assign', async (actor, replyId, form) => {
    const customer = form.customer?.trim() ?? '';
    if (customer === '') throw new InvalidInput('reply.assign', [{ field: 'customer', message: 'is required: the customer external id' }]);
    try {
      const assigned = await assignReply(actions.replies, actor, { replyId, customer });
      return `Reply assigned to ${assigned.customer}: it is in that customer's timeline.`;
    } catch (error) {
      if (error instanceof NotFound && error.entity === 'customer')
        throw new InvalidInput('reply.assign', [
          { field: 'customer', message: `no customer has the external id ${customer.slice(0, 100)}` },
        ]);
      throw error;
    }
  });
}
