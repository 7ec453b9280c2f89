import type { DateTime } from 'luxon';
import { addDays, localDateOf, startOfLocalDay, weekLaterInZone } from './dates.js';
import { reachedCustomer, type CustomerProfile, type ContactRecord } from './domain.js';
import type { Consolidated } from './consolidate.js';
import type { ActionType } from './policy.js';
import type { DunningRules } from './rules.js';

/** Which consolidated actions the caps let through now, and when the capped ones may go. */
export interface CapOutcome {
  allowed: Consolidated[];
  capped: { action: Consolidated; detail: string }[];
  /** Moments at which a cap that held something back lifts. */
  releases: DateTime[];
}

interface CapContext {
  now: DateTime;
  zone: string;
  /** Times of past contacts that reached the customer, plus those allowed in this decision. */
  sent: Map<ActionType, DateTime[]>;
}

function sentOn(ctx: CapContext, types: readonly ActionType[]): DateTime[] {
  return types.flatMap((type) => ctx.sent.get(type) ?? []);
}

function sameLocalDay(ctx: CapContext, at: DateTime): boolean {
  return localDateOf(at, ctx.zone) === localDateOf(ctx.now, ctx.zone);
}

/** Counted in calendar days in the customer's zone, so a DST change does not stretch the window. */
function within7Days(ctx: CapContext, at: DateTime): boolean {
  return weekLaterInZone(at, ctx.zone).toMillis() > ctx.now.toMillis();
}

function tomorrow(ctx: CapContext): DateTime {
  return startOfLocalDay(addDays(localDateOf(ctx.now, ctx.zone), 1), ctx.zone);
}

/** `null` when under the limit, else when enough of these contacts have left the rolling 7 days. */
function rollingRelease(ctx: CapContext, types: readonly ActionType[], limit: number): DateTime | null | 'never' {
  const recent = sentOn(ctx, types)
    .filter((at) => within7Days(ctx, at))
    .sort((a, b) => a.toMillis() - b.toMillis());
  if (recent.length < limit) return null;
  const leaving = recent[recent.length - limit];
  return leaving === undefined ? 'never' : weekLaterInZone(leaving, ctx.zone);
}

type Verdict = { detail: string; release: DateTime | null } | null;

function dailyCap(ctx: CapContext, type: ActionType, limit: number): Verdict {
  const today = sentOn(ctx, [type]).filter((at) => sameLocalDay(ctx, at)).length;
  return today >= limit ? { detail: `${today} ${type} already today (limit ${limit} a day)`, release: tomorrow(ctx) } : null;
}

function rollingCap(ctx: CapContext, types: readonly ActionType[], limit: number, what: string): Verdict {
  const release = rollingRelease(ctx, types, limit);
  if (release === null) return null;
  return { detail: `${what} limit of ${limit} per 7 days reached`, release: release === 'never' ? null : release };
}

function verdict(ctx: CapContext, type: ActionType, profile: CustomerProfile, rules: DunningRules): Verdict {
  switch (type) {
    case 'email':
      return dailyCap(ctx, 'email', rules.caps.emailsPerDay) ?? rollingCap(ctx, ['email', 'sms'], rules.caps.contactsPer7Days, 'contact');
    case 'sms':
      return dailyCap(ctx, 'sms', 1) ?? rollingCap(ctx, ['email', 'sms'], rules.caps.contactsPer7Days, 'contact');
    case 'call_task':
      return (
        dailyCap(ctx, 'call_task', 1) ??
        (profile === 'consumer' ? rollingCap(ctx, ['call_task'], rules.consumer.callTasksPer7Days, 'call task') : null)
      );
    default:
      return null;
  }
}

/**
 * Frequency caps per customer: one notice per channel per local day (emails up to
 * `caps.emailsPerDay`), email and SMS together within `caps.contactsPer7Days` in any rolling 7
 * days, and for consumers at most `consumer.callTasksPer7Days` call tasks. Holds and alerts are
 * never capped. Earlier channels in the list win when only some fit.
 */
export function applyCaps(
  actions: readonly Consolidated[],
  history: readonly ContactRecord[],
  now: DateTime,
  zone: string,
  profile: CustomerProfile,
  rules: DunningRules,
): CapOutcome {
  const ctx: CapContext = { now, zone, sent: new Map() };
  for (const record of history.filter(reachedCustomer)) {
    ctx.sent.set(record.channel, [...(ctx.sent.get(record.channel) ?? []), record.at]);
  }
  const outcome: CapOutcome = { allowed: [], capped: [], releases: [] };
  for (const action of actions) {
    const capped = verdict(ctx, action.type, profile, rules);
    if (capped === null) {
      outcome.allowed.push(action);
      ctx.sent.set(action.type, [...(ctx.sent.get(action.type) ?? []), now]);
      continue;
    }
    outcome.capped.push({ action, detail: capped.detail });
    if (capped.release !== null) outcome.releases.push(capped.release);
  }
  return outcome;
}
