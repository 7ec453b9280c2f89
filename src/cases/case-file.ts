import { DateTime } from 'luxon';
import { z } from 'zod';
import { ageInvoice } from '../core/aging.js';
import { loadCaseFileRows, type CaseFileRows } from '../db/case-file.repository.js';
import { findUsersByIds } from '../db/users.repository.js';
import { formatMoney } from '../core/money.js';
import { percentText } from '../core/interest/reference-rate-input.js';
import type { CustomerClaim } from '../reports/interest.report.js';
import { loadClaims } from '../reports/sources/interest.source.js';
import { customerField, resolveCustomer, runCaseAction, type CaseDependencies } from './case-action.js';
import { escapeHtml } from './credit-hold.service.js';

/** The JSON export of a case file; money is integer minor units as strings, instants ISO 8601. */
export interface CaseFileJson {
  generatedAt: string;
  customer: {
    id: string;
    externalId: string;
    name: string;
    timeZone: string;
    locale: string;
    currency: string;
    contactPoints: Array<{ kind: string; value: string; role: string; unreachable: boolean }>;
  };
  case: { state: string; currentStep: string | null; pauseReason: string | null; pausedUntil: string | null } | null;
  openInvoices: Array<{
    number: string;
    currency: string;
    amountMinor: string;
    openBalanceMinor: string;
    issuedOn: string;
    dueOn: string;
    daysPastDue: number;
    bucket: string;
  }>;
  totals: Array<{ currency: string; openBalanceMinor: string }>;
  contacts: Array<{
    id: string;
    at: string;
    channel: string;
    direction: string;
    actor: string;
    status: string;
    recipient: string | null;
    subject: string | null;
    text: string | null;
    outcome: string | null;
    invoices: string[];
    statusHistory: Array<{ at: string; status: string; actor: string; detail: unknown }>;
    /** The late-payment claim the message stated (a policy step with `interest: true`), as figured then. */
    interestClaimed: Array<{
      invoice: string;
      asOf: string;
      currency: string;
      principalMinor: string;
      daysLate: number;
      rule: string;
      rates: string;
      interestMinor: string;
      compensationMinor: string;
      legalBasis: string | null;
    }>;
  }>;
  /** Late-payment claims to the day of the export: per invoice, the rule, rates per period, waivers. */
  interest: {
    asOf: string;
    claims: Array<{
      invoice: string;
      currency: string;
      principalMinor: string;
      outstandingMinor: string;
      dueOn: string;
      daysLate: number;
      rule: string;
      legalBasis: string | null;
      periods: Array<{
        from: string;
        to: string;
        days: number;
        principalMinor: string;
        rateBp: number;
        referenceBp: number | null;
        fixedOn: string | null;
      }>;
      interestMinor: string | null;
      compensationMinor: string | null;
      /** A statute's sum in another currency: what it was and the exchange rates' dates. */
      compensationConvertedFrom: { minor: string; currency: string; rateDates: string[] } | null;
      gaps: string[];
      waived: { by: string; at: string; reason: string } | null;
    }>;
    /** Claimed (not waived) per currency; waived amounts beside them, never added. */
    totals: Array<{
      currency: string;
      interestMinor: string;
      compensationMinor: string;
      waivedInterestMinor: string;
      waivedCompensationMinor: string;
    }>;
  };
  promises: Array<{
    id: string;
    amountMinor: string;
    currency: string;
    promisedOn: string;
    channel: string | null;
    status: string;
    createdBy: string;
    createdAt: string;
  }>;
  disputes: Array<{
    id: string;
    invoice: string;
    reasonCode: string;
    notes: string | null;
    openedAt: string;
    openedBy: string;
    resolvedAt: string | null;
    resolution: string | null;
  }>;
  paymentPlans: Array<{
    id: string;
    status: string;
    currency: string;
    totalMinor: string;
    instalments: Array<{ sequence: number; dueOn: string; amountMinor: string; status: string }>;
  }>;
  holds: {
    legal: Array<{
      id: string;
      placedAt: string;
      placedBy: string;
      reason: string;
      agency: string | null;
      releasedAt: string | null;
      releasedBy: string | null;
    }>;
    credit: Array<{ id: string; placedAt: string; placedBy: string; reason: string; releasedAt: string | null; releasedBy: string | null }>;
    bankruptcy: Array<{
      id: string;
      filedOn: string;
      chapter: string;
      caseNumber: string | null;
      dischargedAt: string | null;
      dismissedAt: string | null;
    }>;
  };
}

export interface CaseFile {
  json: CaseFileJson;
  html: string;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
const day = (date: Date): string => date.toISOString().slice(0, 10);

/**
 * Pure: the case file of a customer as stored, at `now`; `people` names the users that actor ids
 * refer to (HTML only); `interest` is the customer's late-payment claims counted to `asOf`.
 */
export function buildCaseFile(
  rows: CaseFileRows,
  now: Date,
  people: ReadonlyMap<string, string> = new Map(),
  interest: { asOf: string; claims: readonly CustomerClaim[] } = {
    asOf: DateTime.fromJSDate(now, { zone: rows.timeZone }).toISODate() ?? '',
    claims: [],
  },
): CaseFile {
  const at = DateTime.fromJSDate(now, { zone: rows.timeZone });
  const openInvoices = rows.invoices.map((invoice) => {
    const aged = ageInvoice({ issuedOn: day(invoice.issuedOn), dueOn: day(invoice.dueOn) }, at, rows.timeZone);
    return {
      number: invoice.number,
      currency: invoice.currency,
      amountMinor: invoice.amountMinor.toString(),
      openBalanceMinor: invoice.openBalanceMinor.toString(),
      issuedOn: day(invoice.issuedOn),
      dueOn: day(invoice.dueOn),
      daysPastDue: aged.days,
      bucket: aged.bucket.label,
    };
  });
  const totals = new Map<string, bigint>();
  for (const invoice of rows.invoices) totals.set(invoice.currency, (totals.get(invoice.currency) ?? 0n) + invoice.openBalanceMinor);
  const json: CaseFileJson = {
    generatedAt: now.toISOString(),
    customer: {
      id: rows.id,
      externalId: rows.externalId,
      name: rows.name,
      timeZone: rows.timeZone,
      locale: rows.locale,
      currency: rows.currency,
      contactPoints: rows.contactPoints.map((p) => ({
        kind: p.kind,
        value: p.value,
        role: p.role,
        unreachable: p.bouncedAt !== null || p.invalidAt !== null,
      })),
    },
    case: rows.collectionCase
      ? {
          state: rows.collectionCase.state,
          currentStep: rows.collectionCase.currentStep,
          pauseReason: rows.collectionCase.pauseReason,
          pausedUntil: iso(rows.collectionCase.pausedUntil),
        }
      : null,
    openInvoices,
    totals: [...totals].map(([currency, minor]) => ({ currency, openBalanceMinor: minor.toString() })),
    contacts: rows.contacts.map((c) => ({
      id: c.id,
      at: c.createdAt.toISOString(),
      channel: c.channel,
      direction: c.direction,
      actor: c.actor,
      status: c.status,
      recipient: c.recipient,
      subject: c.subject,
      text: c.bodyText ?? c.notes,
      outcome: c.outcome,
      invoices: c.invoices.map((ci) => ci.invoice.number).sort(),
      statusHistory: c.statusEvents.map((e) => ({ at: e.at.toISOString(), status: e.status, actor: e.actor, detail: e.detail ?? null })),
      interestClaimed: c.interestClaims.map((claim) => ({
        invoice: claim.invoice.number,
        asOf: day(claim.asOf),
        currency: claim.currency,
        principalMinor: claim.principalMinor.toString(),
        daysLate: claim.daysLate,
        rule: claim.rule,
        rates: claim.rates,
        interestMinor: claim.interestMinor.toString(),
        compensationMinor: claim.compensationMinor.toString(),
        legalBasis: claim.legalBasis,
      })),
    })),
    interest: caseFileInterest(interest.asOf, interest.claims),
    promises: rows.promises.map((p) => ({
      id: p.id,
      amountMinor: p.amountMinor.toString(),
      currency: p.currency,
      promisedOn: day(p.promisedOn),
      channel: p.channel,
      status: p.status,
      createdBy: p.createdBy,
      createdAt: p.createdAt.toISOString(),
    })),
    disputes: rows.disputes.map((d) => ({
      id: d.id,
      invoice: d.invoice.number,
      reasonCode: d.reasonCode,
      notes: d.notes,
      openedAt: d.openedAt.toISOString(),
      openedBy: d.openedBy,
      resolvedAt: iso(d.resolvedAt),
      resolution: d.resolution,
    })),
    paymentPlans: rows.paymentPlans.map((plan) => ({
      id: plan.id,
      status: plan.status,
      currency: plan.currency,
      totalMinor: plan.totalMinor.toString(),
      instalments: plan.instalments.map((i) => ({
        sequence: i.sequence,
        dueOn: day(i.dueOn),
        amountMinor: i.amountMinor.toString(),
        status: i.status,
      })),
    })),
    holds: {
      legal: rows.legalHolds.map((h) => ({
        id: h.id,
        placedAt: h.placedAt.toISOString(),
        placedBy: h.placedBy,
        reason: h.reason,
        agency: h.agency,
        releasedAt: iso(h.releasedAt),
        releasedBy: h.releasedBy,
      })),
      credit: rows.creditHolds.map((h) => ({
        id: h.id,
        placedAt: h.placedAt.toISOString(),
        placedBy: h.placedBy,
        reason: h.reason,
        releasedAt: iso(h.releasedAt),
        releasedBy: h.releasedBy,
      })),
      bankruptcy: rows.bankruptcyFilings.map((b) => ({
        id: b.id,
        filedOn: day(b.filedOn),
        chapter: b.chapter,
        caseNumber: b.caseNumber,
        dischargedAt: iso(b.dischargedAt),
        dismissedAt: iso(b.dismissedAt),
      })),
    },
  };
  return { json, html: renderCaseFileHtml(json, people) };
}

function caseFileInterest(asOf: string, claims: readonly CustomerClaim[]): CaseFileJson['interest'] {
  const totals = new Map<string, { interest: bigint; compensation: bigint; waivedInterest: bigint; waivedCompensation: bigint }>();
  for (const c of claims) {
    const t = totals.get(c.currency) ?? { interest: 0n, compensation: 0n, waivedInterest: 0n, waivedCompensation: 0n };
    if (c.waived === null) {
      t.interest += c.interestMinor ?? 0n;
      t.compensation += c.compensation?.minor ?? 0n;
    } else {
      t.waivedInterest += c.interestMinor ?? 0n;
      t.waivedCompensation += c.compensation?.minor ?? 0n;
    }
    totals.set(c.currency, t);
  }
  return {
    asOf,
    claims: claims.map((c) => ({
      invoice: c.invoiceNumber,
      currency: c.currency,
      principalMinor: c.principalMinor.toString(),
      outstandingMinor: c.outstandingMinor.toString(),
      dueOn: c.dueOn,
      daysLate: c.daysLate,
      rule: c.basis,
      legalBasis: c.citation,
      periods: c.periods.map((p) => ({
        from: p.from,
        to: p.to,
        days: p.days,
        principalMinor: p.principalMinor.toString(),
        rateBp: p.rateBp,
        referenceBp: p.referenceBp,
        fixedOn: p.fixedOn,
      })),
      interestMinor: c.interestMinor === null ? null : c.interestMinor.toString(),
      compensationMinor: c.compensation === null ? null : c.compensation.minor.toString(),
      compensationConvertedFrom:
        c.compensation?.converted == null
          ? null
          : {
              minor: c.compensation.converted.fromMinor.toString(),
              currency: c.compensation.converted.fromCurrency,
              rateDates: c.compensation.converted.rateDates,
            },
      gaps: c.gaps,
      waived: c.waived,
    })),
    totals: [...totals]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([currency, t]) => ({
        currency,
        interestMinor: t.interest.toString(),
        compensationMinor: t.compensation.toString(),
        waivedInterestMinor: t.waivedInterest.toString(),
        waivedCompensationMinor: t.waivedCompensation.toString(),
      })),
  };
}

const e = (value: unknown): string => escapeHtml(value === null || value === undefined ? '' : String(value));

function table(label: string, headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '<p class="none">None.</p>';
  const head = headers.map((h) => `<th>${e(h)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell) => `<td>${typeof cell === 'object' && cell !== null && 'html' in cell ? (cell as { html: string }).html : e(cell)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="scroll" role="region" tabindex="0" aria-label="${e(label)}"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** One self-contained HTML document (inline CSS, no scripts) for legal or an agency; prints as-is. */
export function renderCaseFileHtml(file: CaseFileJson, people: ReadonlyMap<string, string> = new Map()): string {
  const money = (minor: string, currency: string) => formatMoney(BigInt(minor), currency, 'en');
  const c = file.customer;
  // Instants in the customer's time zone (said once, at the top); days as written.
  const at = (iso: string | null) => (iso ? DateTime.fromISO(iso).setZone(c.timeZone).toFormat('d LLL yyyy, HH:mm') : '');
  const on = (day: string | null) => (day ? DateTime.fromISO(day).toFormat('d LLL yyyy') : '');
  const who = (actor: string | null) => (actor === null ? '' : actor === 'system' ? 'Arrears (automatic)' : (people.get(actor) ?? actor));
  const contacts = file.contacts.map((contact) => [
    at(contact.at),
    contact.channel,
    contact.direction,
    who(contact.actor),
    contact.recipient,
    {
      html: `${contact.subject ? `<strong>${e(contact.subject)}</strong><br>` : ''}${contact.outcome ? `Outcome: ${e(contact.outcome)}<br>` : ''}<pre>${e(contact.text)}</pre>${
        contact.interestClaimed.length === 0
          ? ''
          : `<p class="claimed">Claimed in this message (to ${e(on(contact.interestClaimed[0]!.asOf))}): ${contact.interestClaimed
              .map(
                (c) =>
                  `${e(c.invoice)} interest ${e(money(c.interestMinor, c.currency))}, compensation ${e(money(c.compensationMinor, c.currency))} (${e(c.rule)}, ${e(c.rates)}, ${c.daysLate} days)`,
              )
              .join('; ')}</p>`
      }`,
    },
    contact.invoices.join(', '),
    { html: contact.statusHistory.map((s) => `${e(at(s.at))} ${e(s.status)} (${e(who(s.actor))})`).join('<br>') || e(contact.status) },
  ]);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Case file: ${e(c.name)} (${e(c.externalId)})</title>
<style>
body{font-family:Arial,Helvetica,sans-serif;font-size:12px;color:#1f2933;margin:24px}
h1{font-size:20px}h2{font-size:15px;margin-top:24px;border-bottom:1px solid #cbd2d9}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #cbd2d9;padding:4px;vertical-align:top;text-align:left}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-family:inherit;margin:0}.none{color:#616e7c}
.scroll{overflow-x:auto}.claimed{margin:4px 0 0;font-style:italic}
@media (max-width:40rem){body{margin:12px}}
@media print{
@page{size:A4 landscape;margin:12mm}
body{margin:0;font-size:9.5pt;color:#000}
.scroll{overflow:visible}
table{page-break-inside:auto}thead{display:table-header-group}tr,pre{break-inside:avoid}
h2{break-after:avoid;border-color:#000}th,td{border-color:#666}.none{color:#000}
}
</style>
</head>
<body>
<main>
<h1>Case file: ${e(c.name)}</h1>
<p>Customer ${e(c.externalId)} · ${e(c.locale)} · generated ${e(at(file.generatedAt))}. Times are in the customer's time zone, ${e(c.timeZone)}.</p>
<p>Case state: ${e(file.case?.state ?? 'none')}${file.case?.currentStep ? ` · step ${e(file.case.currentStep)}` : ''}</p>
<h2>Contact points</h2>
${table(
  'Contact points',
  ['kind', 'value', 'role', 'unreachable'],
  c.contactPoints.map((p) => [p.kind, p.value, p.role, p.unreachable ? 'yes' : 'no']),
)}
<h2>Open invoices</h2>
${table(
  'Open invoices',
  ['invoice', 'issued', 'due', 'days past due', 'bucket', 'amount', 'open balance'],
  file.openInvoices.map((i) => [
    i.number,
    on(i.issuedOn),
    on(i.dueOn),
    i.daysPastDue,
    i.bucket,
    money(i.amountMinor, i.currency),
    money(i.openBalanceMinor, i.currency),
  ]),
)}
<p>Total open: ${file.totals.map((t) => e(money(t.openBalanceMinor, t.currency))).join(' + ') || '0'}</p>
<h2>Late-payment interest</h2>
<p>Claims counted to ${e(on(file.interest.asOf))}; rates per period (the reference rate and the day it was read); a waived claim is shown and not counted.</p>
${table(
  'Late-payment interest',
  ['invoice', 'principal', 'due', 'days late', 'rule and legal basis', 'rates applied', 'interest', 'compensation', 'waived'],
  file.interest.claims.map((c) => [
    c.invoice,
    money(c.principalMinor, c.currency) + (c.outstandingMinor === '0' ? ' (paid)' : ''),
    on(c.dueOn),
    c.daysLate,
    c.legalBasis ? `${c.rule}: ${c.legalBasis}` : c.rule,
    {
      html: c.periods
        .map(
          (p) =>
            `${e(on(p.from))} – ${e(on(p.to))}: ${e(percentText(p.rateBp))}%${p.referenceBp === null ? '' : ` (reference ${e(percentText(p.referenceBp))}% read on ${e(on(p.fixedOn))})`}, ${p.days} days on ${e(money(p.principalMinor, c.currency))}`,
        )
        .join('<br>'),
    },
    c.interestMinor === null ? `unknown: ${c.gaps.join('; ')}` : money(c.interestMinor, c.currency),
    c.compensationMinor === null
      ? ''
      : money(c.compensationMinor, c.currency) +
        (c.compensationConvertedFrom
          ? ` (${money(c.compensationConvertedFrom.minor, c.compensationConvertedFrom.currency)} at the rates of ${c.compensationConvertedFrom.rateDates.join(', ')})`
          : ''),
    c.waived ? `waived by ${who(c.waived.by)} on ${at(c.waived.at)}: ${c.waived.reason}` : '',
  ]),
)}
${file.interest.totals
  .map(
    (t) =>
      `<p>Claimed in ${e(t.currency)}: interest ${e(money(t.interestMinor, t.currency))}, compensation ${e(money(t.compensationMinor, t.currency))}${
        t.waivedInterestMinor !== '0' || t.waivedCompensationMinor !== '0'
          ? `; waived (not claimed): interest ${e(money(t.waivedInterestMinor, t.currency))}, compensation ${e(money(t.waivedCompensationMinor, t.currency))}`
          : ''
      }.</p>`,
  )
  .join('\n')}
<h2>Holds</h2>
${table(
  'Holds',
  ['hold', 'placed', 'by', 'reason', 'released'],
  [
    ...file.holds.legal.map((h) => [
      'legal' + (h.agency ? ` (${h.agency})` : ''),
      at(h.placedAt),
      who(h.placedBy),
      h.reason,
      h.releasedAt ? `${at(h.releasedAt)} by ${who(h.releasedBy)}` : 'active',
    ]),
    ...file.holds.credit.map((h) => [
      'credit',
      at(h.placedAt),
      who(h.placedBy),
      h.reason,
      h.releasedAt ? `${at(h.releasedAt)} by ${who(h.releasedBy)}` : 'active',
    ]),
    ...file.holds.bankruptcy.map((b) => [
      `bankruptcy ch. ${b.chapter}${b.caseNumber ? ` #${b.caseNumber}` : ''}`,
      on(b.filedOn),
      '',
      '',
      b.dischargedAt ? `discharged ${at(b.dischargedAt)}` : b.dismissedAt ? `dismissed ${at(b.dismissedAt)}` : 'open',
    ]),
  ],
)}
<h2>Promises to pay</h2>
${table(
  'Promises to pay',
  ['recorded', 'by', 'amount', 'promised for', 'channel', 'status'],
  file.promises.map((p) => [at(p.createdAt), who(p.createdBy), money(p.amountMinor, p.currency), on(p.promisedOn), p.channel, p.status]),
)}
<h2>Disputes</h2>
${table(
  'Disputes',
  ['invoice', 'reason', 'notes', 'opened', 'by', 'resolution'],
  file.disputes.map((d) => [
    d.invoice,
    d.reasonCode,
    d.notes,
    at(d.openedAt),
    who(d.openedBy),
    d.resolvedAt ? `${d.resolution} (${at(d.resolvedAt)})` : 'open',
  ]),
)}
<h2>Payment plans</h2>
${table(
  'Payment plans',
  ['status', 'total', 'instalments'],
  file.paymentPlans.map((p) => [
    p.status,
    money(p.totalMinor, p.currency),
    p.instalments.map((i) => `${i.sequence}. ${on(i.dueOn)} ${money(i.amountMinor, p.currency)} ${i.status}`).join('; '),
  ]),
)}
<h2>Contact history</h2>
${table('Contact history', ['at', 'channel', 'direction', 'actor', 'recipient', 'content', 'invoices', 'status history'], contacts)}
</main>
</body>
</html>
`;
}

export const exportCaseFileInput = z.object({ customer: customerField });

/** Builds the case file (manager); the export is itself recorded in the audit trail. */
export function exportCaseFile(deps: CaseDependencies, actor: string, input: z.input<typeof exportCaseFileInput>): Promise<CaseFile> {
  return runCaseAction(deps, actor, 'case_file.export', exportCaseFileInput, input, async (ctx) => {
    const customer = await resolveCustomer(ctx.tx, ctx.input.customer);
    const rows = await loadCaseFileRows(ctx.tx, customer.id);
    const asOf = DateTime.fromJSDate(ctx.at, { zone: rows!.timeZone }).toISODate()!;
    const claims = await loadClaims(ctx.sql, { asOf, customerIds: [customer.id], ...deps.interest });
    const actors = [
      ...rows!.contacts.flatMap((c) => [c.actor, ...c.statusEvents.map((e) => e.actor)]),
      ...rows!.promises.map((p) => p.createdBy),
      ...rows!.disputes.map((d) => d.openedBy),
      ...rows!.legalHolds.flatMap((h) => [h.placedBy, h.releasedBy ?? '']),
      ...rows!.creditHolds.flatMap((h) => [h.placedBy, h.releasedBy ?? '']),
      ...claims.flatMap((c) => (c.waived ? [c.waived.by] : [])),
    ];
    const file = buildCaseFile(rows!, ctx.at, await findUsersByIds(ctx.tx, actors), { asOf, claims });
    await ctx.audit({
      entityType: 'customer',
      entityId: customer.id,
      action: 'case_file.exported',
      after: { contacts: file.json.contacts.length },
    });
    return file;
  });
}
