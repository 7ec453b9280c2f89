import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyDependencies } from '../../../src/app/services.js';
import type { CaseDependencies } from '../../../src/cases/case-action.js';
import { InvalidTransition } from '../../../src/cases/errors.js';
import { receiveEmail, type ReplyDependencies } from '../../../src/replies/receive.js';
import { assignReply, confirmSuggestion, dismissSuggestion, markHandled } from '../../../src/replies/reply-actions.js';
import { closeTestPipeline, startTestPipeline, type TestPipeline } from '../../support/arrears.js';
import { seedLedger } from '../../support/ledger.js';
import { caseServicesOf, seedUsers } from '../cases/case-support.js';
import { replyEml } from './reply-mail.js';

// Monday 9 March 2026, day 8: the overdue-7 reminder. Monday 16 March, day 15: the overdue-14 step.
const DAY_8 = '2026-03-09T09:00:00Z';
const DAY_15 = '2026-03-16T09:00:00Z';
const DUE = [
  { number: 'F-1', amountMinor: 50000, issuedOn: '2026-02-01', dueOn: '2026-03-01' },
  { number: 'F-2', amountMinor: 20000, issuedOn: '2026-02-01', dueOn: '2026-03-01' },
];
const CUSTOMERS = ['PAU-1', 'OPT-1', 'OOO-1', 'PRM-1', 'DSP-1', 'DSM-1', 'PAY-1', 'ASG-1', 'CTL-1'];

describe('what a reply leads to, by classification (real Postgres, the real step)', () => {
  let pipeline: TestPipeline;
  let deps: ReplyDependencies;
  let cases: CaseDependencies;
  let collector: string;
  const prisma = () => pipeline.arrears.runtime.prisma;
  const email = (externalId: string) => `${externalId.toLowerCase()}@example.ro`;
  const receive = (from: string, text: string, extra: Parameters<typeof replyEml>[0] extends infer O ? Partial<O> : never = {}) =>
    receiveEmail(deps, { raw: replyEml({ from, text, ...extra }), source: 'imap', sourceRef: null });
  const customer = (externalId: string) => prisma().customer.findUniqueOrThrow({ where: { externalId } });
  const emailsTo = async (externalId: string) =>
    prisma().contact.count({ where: { customer: { externalId }, direction: 'outbound', channel: 'email' } });

  beforeAll(async () => {
    pipeline = await startTestPipeline();
    await seedLedger(
      prisma(),
      CUSTOMERS.map((externalId) => ({ externalId, email: email(externalId), invoices: DUE })),
    );
    await pipeline.arrears.tick(DAY_8);
    deps = { ...(await replyDependencies(pipeline.arrears.runtime)), clock: () => new Date('2026-03-09T12:00:00Z') };
    cases = { ...caseServicesOf(pipeline.arrears).cases, clock: deps.clock };
    collector = (await seedUsers(pipeline.arrears)).collector.id;
  });

  afterAll(async () => {
    await closeTestPipeline(pipeline ?? {});
  });

  it("a person's reply pauses automated contact until a collector marks it handled; an out-of-office holds it until the return date", async () => {
    expect(await emailsTo('PAU-1')).toBe(1);
    const person = await receive(email('PAU-1'), 'Who should I call about this?');
    expect(person.actions).toEqual(['reply_pause']);
    // Received Monday 9 March: five business days run through Monday 16 March.
    const stored = await prisma().reply.findUniqueOrThrow({ where: { id: person.reply } });
    expect(stored.pausedThrough?.toISOString().slice(0, 10)).toBe('2026-03-16');
    const away = await receive(email('OOO-1'), 'I am out of the office until 18 March 2026.', {
      subject: 'Automatic reply: Invoice overdue',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    expect(away).toMatchObject({ classification: 'auto_reply', actions: ['next_reminder_after_return'] });

    await pipeline.arrears.tick(DAY_15);
    expect([await emailsTo('PAU-1'), await emailsTo('OOO-1'), await emailsTo('CTL-1')]).toEqual([1, 1, 2]);

    expect(await markHandled(deps, collector, person.reply)).toBe(true);
    expect(await markHandled(deps, collector, person.reply)).toBe(false);
    await pipeline.arrears.tick('2026-03-16T10:00:00Z');
    expect([await emailsTo('PAU-1'), await emailsTo('OOO-1')]).toEqual([2, 1]);
    await pipeline.arrears.tick('2026-03-18T09:00:00Z');
    expect(await emailsTo('OOO-1')).toBe(2);
  });

  it('an opt-out withdraws email consent once, with an audit event, however often it is delivered', async () => {
    const raw = replyEml({ from: email('OPT-1'), messageId: '<optout-1@mail.example.ro>', text: 'Please stop emailing me.' });
    const first = await receiveEmail(deps, { raw, source: 'imap', sourceRef: null });
    const again = await receiveEmail(deps, { raw, source: 'http', sourceRef: null });
    expect(first).toMatchObject({ classification: 'opt_out', actions: ['reply_pause', 'email.opted_out'], duplicate: false });
    expect(again.duplicate).toBe(true);
    const optedOut = await customer('OPT-1');
    expect(optedOut.emailOptedOutAt).not.toBeNull();
    const audit = await prisma().auditEvent.findMany({ where: { entityId: optedOut.id, action: 'email.opted_out' } });
    expect(audit.map((a) => a.actor)).toEqual(['inbound:email']);
    expect(audit[0]!.reason).toContain(first.reply);
  });

  it('a promise becomes a suggestion, and a collector confirms it in one click into a real promise to pay', async () => {
    const result = await receive(email('PRM-1'), 'We will pay 300 on 20 March.');
    expect(result).toMatchObject({ classification: 'promise', promisedOn: '2026-03-20', actions: ['reply_pause', 'suggestion.promise'] });
    const suggestion = await prisma().replySuggestion.findFirstOrThrow({ where: { replyId: result.reply } });
    expect([suggestion.kind, suggestion.status, suggestion.amountMinor, suggestion.currency]).toEqual(['promise', 'open', 30000n, 'RON']);

    const confirmed = await confirmSuggestion(deps, cases, collector, { suggestionId: suggestion.id });
    const promise = await prisma().promiseToPay.findUniqueOrThrow({ where: { id: confirmed.resultIds[0]! } });
    expect([promise.amountMinor, promise.promisedOn.toISOString().slice(0, 10), promise.channel, promise.status]).toEqual([
      30000n,
      '2026-03-20',
      'email',
      'open',
    ]);
    expect((await prisma().replySuggestion.findUniqueOrThrow({ where: { id: suggestion.id } })).status).toBe('confirmed');
    await expect(confirmSuggestion(deps, cases, collector, { suggestionId: suggestion.id })).rejects.toBeInstanceOf(InvalidTransition);
    expect(await prisma().promiseToPay.count({ where: { customerId: promise.customerId } })).toBe(1);
  });

  it('a dispute becomes a suggestion on the invoices it names; confirmed, the invoice is disputed', async () => {
    const result = await receive(email('DSP-1'), 'The amount on invoice F-1 is wrong, we never received the goods.');
    expect(result).toMatchObject({ classification: 'dispute', actions: ['reply_pause', 'suggestion.dispute'] });
    const suggestion = await prisma().replySuggestion.findFirstOrThrow({ where: { replyId: result.reply } });
    const confirmed = await confirmSuggestion(deps, cases, collector, { suggestionId: suggestion.id });
    const disputes = await prisma().dispute.findMany({ where: { id: { in: confirmed.resultIds } }, include: { invoice: true } });
    expect(disputes.map((d) => [d.invoice.number, d.resolvedAt])).toEqual([['F-1', null]]);
  });

  it('a dismissed suggestion records nothing but the decision', async () => {
    const result = await receive(email('DSM-1'), 'Vom plăti pe 20 martie.');
    const suggestion = await prisma().replySuggestion.findFirstOrThrow({ where: { replyId: result.reply } });
    expect(await dismissSuggestion(deps, collector, suggestion.id)).toBe(true);
    expect(await dismissSuggestion(deps, collector, suggestion.id)).toBe(false);
    expect((await prisma().replySuggestion.findUniqueOrThrow({ where: { id: suggestion.id } })).status).toBe('dismissed');
    expect(await prisma().promiseToPay.count({ where: { customer: { externalId: 'DSM-1' } } })).toBe(0);
  });

  it('a claim of payment is flagged for cash application', async () => {
    const result = await receive(email('PAY-1'), 'We paid invoice F-1 last week.');
    expect(result).toMatchObject({ classification: 'paid_claim', actions: ['reply_pause', 'cash_application.flagged'] });
    const reply = await prisma().reply.findUniqueOrThrow({ where: { id: result.reply } });
    expect([reply.cashApplication, reply.invoiceNumbers]).toEqual([true, ['F-1']]);
  });

  it('an unmatched reply assigned to a customer joins its contact log and is acted on then', async () => {
    const result = await receive('accounts@parent-company.example', 'We will pay on 20 March.');
    expect(result).toMatchObject({ customer: null, actions: ['unmatched'] });
    expect(await prisma().replySuggestion.count({ where: { replyId: result.reply } })).toBe(0);

    const assigned = await assignReply(deps, collector, { replyId: result.reply, customer: 'ASG-1' });
    expect(assigned).toEqual({ customer: 'ASG-1', actions: ['reply_pause', 'suggestion.promise'] });
    const reply = await prisma().reply.findUniqueOrThrow({ where: { id: result.reply }, include: { contact: true, suggestions: true } });
    expect([reply.matchedBy, reply.contact?.direction, reply.suggestions.map((s) => s.kind)]).toEqual(['assigned', 'inbound', ['promise']]);
    await expect(assignReply(deps, collector, { replyId: result.reply, customer: 'ASG-1' })).rejects.toBeInstanceOf(InvalidTransition);
  });
});
