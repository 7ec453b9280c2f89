import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyDependencies } from '../../../../src/app/services.js';
import { receiveEmail, type ReplyDependencies } from '../../../../src/replies/receive.js';
import { consoleSession, type ConsoleSession } from '../../../support/console-session.js';
import { startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';
import { TIMELINE_PAGE } from '../../../../src/http/console/customer.routes.js';
import { replyEml } from '../../replies/reply-mail.js';

// The Replies page's one-click actions, driven as a collector's browser does (session, CSRF):
// replies arrive through receiveEmail, the one path every email source takes.

const CUSTOMERS = ['RPL-PRM', 'RPL-DSM', 'RPL-HND', 'RPL-ASG', 'RPL-THR'];
const isoDay = (offset: number) => DateTime.utc().plus({ days: offset }).toISODate()!;

describe('the Replies page: confirm, dismiss, mark handled, assign', () => {
  let t: TestHttpApp;
  let collector: ConsoleSession;
  let deps: ReplyDependencies;
  const prisma = () => t.runtime.prisma;
  const email = (externalId: string) => `${externalId.toLowerCase()}@example.ro`;
  const receive = (from: string, text: string, subject?: string) =>
    receiveEmail(deps, {
      raw: replyEml({ from, text, date: sentNow(), ...(subject ? { subject } : {}) }),
      source: 'http',
      sourceRef: null,
    });
  /** A Date header of now: a reply is received at the time its header says (when not in the future). */
  const sentNow = () => DateTime.utc().minus({ seconds: 1 }).toRFC2822()!;
  const suggestionOf = (replyId: string) => prisma().replySuggestion.findFirstOrThrow({ where: { replyId } });

  beforeAll(async () => {
    t = await startTestHttpApp();
    await seedLedger(
      prisma(),
      CUSTOMERS.map((externalId) => ({
        externalId,
        name: `${externalId} SRL`,
        email: email(externalId),
        invoices: [{ number: `${externalId}-1`, amountMinor: 500_00, issuedOn: isoDay(-60), dueOn: isoDay(-30) }],
      })),
    );
    deps = await replyDependencies(t.runtime);
    collector = await consoleSession(t.app, 'collector@example.com');
  });
  afterAll(async () => t?.close());

  it('confirming a suggested promise records the real promise, shown on the customer page', async () => {
    const day = DateTime.utc().plus({ days: 10 });
    const received = await receive(email('RPL-PRM'), `We will pay 300 on ${day.toFormat('d LLLL yyyy')}.`);
    expect(received).toMatchObject({ classification: 'promise', promisedOn: day.toISODate() });
    const suggestion = await suggestionOf(received.reply);
    const page = await collector.get('/console/replies');
    expect(page.body).toContain(`action="/console/replies/suggestions/${suggestion.id}/confirm"`);

    const confirmed = await collector.post(`/console/replies/suggestions/${suggestion.id}/confirm`, {});
    expect([confirmed.statusCode, confirmed.headers.location]).toEqual([303, '/console/replies']);
    expect(collector.jar.flash()?.message).toContain('Promise to pay recorded');
    const promises = await prisma().promiseToPay.findMany({ where: { customer: { externalId: 'RPL-PRM' } } });
    expect(promises.map((p) => [p.amountMinor, p.promisedOn.toISOString().slice(0, 10), p.status])).toEqual([
      [300_00n, day.toISODate(), 'open'],
    ]);
    const customerPage = await collector.get('/console/customers/RPL-PRM');
    const openPromises = customerPage.body.slice(customerPage.body.indexOf('id="promises-h"'));
    expect(openPromises).toMatch(new RegExp(`RON\\s300\\.00</strong> by ${day.toISODate()}`));
    // Gone from the suggestions; a second click is refused, not a second promise.
    expect((await collector.get('/console/replies')).body).not.toContain(`/console/replies/suggestions/${suggestion.id}/confirm`);
    await collector.post(`/console/replies/suggestions/${suggestion.id}/confirm`, {});
    expect(collector.jar.flash()).toMatchObject({ error: true, message: expect.stringContaining('already confirmed') });
    expect(await prisma().promiseToPay.count({ where: { customer: { externalId: 'RPL-PRM' } } })).toBe(1);
  });

  it('dismissing a suggestion removes it from the page and records no promise', async () => {
    const received = await receive(email('RPL-DSM'), `We will pay on ${DateTime.utc().plus({ days: 5 }).toFormat('d LLLL yyyy')}.`);
    const suggestion = await suggestionOf(received.reply);
    expect((await collector.get('/console/replies')).body).toContain(`id="suggestion-${suggestion.id}"`);
    const dismissed = await collector.post(`/console/replies/suggestions/${suggestion.id}/dismiss`, {});
    expect(dismissed.statusCode).toBe(303);
    expect(collector.jar.flash()?.message).toBe('Suggestion dismissed: nothing was recorded.');
    expect((await collector.get('/console/replies')).body).not.toContain(`id="suggestion-${suggestion.id}"`);
    expect((await suggestionOf(received.reply)).status).toBe('dismissed');
    expect(await prisma().promiseToPay.count({ where: { customer: { externalId: 'RPL-DSM' } } })).toBe(0);
  });

  it('marking a reply handled ends its reply pause and takes it off the awaiting list', async () => {
    const received = await receive(email('RPL-HND'), 'Who should I call about this invoice?');
    expect(received.actions).toEqual(['reply_pause']);
    expect((await collector.get('/console/replies')).body).toContain(`action="/console/replies/${received.reply}/handled"`);
    const handled = await collector.post(`/console/replies/${received.reply}/handled`, {});
    expect(handled.statusCode).toBe(303);
    expect(collector.jar.flash()?.message).toContain('marked handled');
    const reply = await prisma().reply.findUniqueOrThrow({ where: { id: received.reply } });
    expect([reply.handledAt !== null, reply.handledBy]).toEqual([true, t.users.collector.id]);
    expect((await collector.get('/console/replies')).body).not.toContain(`action="/console/replies/${received.reply}/handled"`);
  });

  it('assigning an unmatched reply threads it to the customer; an unknown customer is named next to the field', async () => {
    const received = await receive('accounts@parent-company.example', 'Please send the statement again.', 'Statement for our subsidiary');
    expect(received).toMatchObject({ customer: null, actions: ['unmatched'] });
    const url = `/console/replies/${received.reply}/assign`;

    const unknown = await collector.post(url, { customer: 'NO-SUCH' });
    expect([unknown.statusCode, unknown.headers.location]).toEqual([303, '/console/replies']);
    expect(collector.jar.flash()).toMatchObject({ error: true, form: { fields: { customer: 'no customer has the external id NO-SUCH' } } });
    const again = await collector.get('/console/replies');
    expect(again.body).toContain('customer: no customer has the external id NO-SUCH');
    expect(again.body).toMatch(/name="customer" value="NO-SUCH"/);
    expect((await prisma().reply.findUniqueOrThrow({ where: { id: received.reply } })).customerId).toBeNull();

    const assigned = await collector.post(url, { customer: 'RPL-ASG' });
    expect(assigned.statusCode).toBe(303);
    expect(collector.jar.flash()?.message).toBe("Reply assigned to RPL-ASG: it is in that customer's timeline.");
    const reply = await prisma().reply.findUniqueOrThrow({ where: { id: received.reply }, include: { customer: true, contact: true } });
    expect([reply.customer?.externalId, reply.matchedBy, reply.contact?.direction]).toEqual(['RPL-ASG', 'assigned', 'inbound']);
    expect((await collector.get('/console/customers/RPL-ASG')).body).toContain('Statement for our subsidiary');
  });

  it("shows replies in the customer's timeline: threaded under the message they answer, else as entries of their own, each once across pages", async () => {
    const customerId = (await prisma().customer.findUniqueOrThrow({ where: { externalId: 'RPL-THR' } })).id;
    const now = Date.now();
    const reminder = await prisma().contact.create({
      data: {
        customerId,
        channel: 'email',
        status: 'sent',
        recipient: email('RPL-THR'),
        subject: 'Invoice RPL-THR-1 is overdue',
        idempotencyKey: 'rpl-thr-reminder-1',
        createdAt: new Date(now - 3 * 86_400_000),
      },
    });
    // A page of notes after the reminder: the reminder (and the reply threaded to it) are on page two.
    await prisma().contact.createMany({
      data: Array.from({ length: TIMELINE_PAGE }, (_unused, i) => ({
        customerId,
        channel: 'note' as const,
        status: 'logged' as const,
        notes: `note ${i}`,
        createdAt: new Date(now - 2 * 86_400_000 + i * 60_000),
        idempotencyKey: `rpl-thr-note-${i}`,
      })),
    });
    const day = DateTime.utc().plus({ days: 7 });
    const threaded = await receiveEmail(deps, {
      raw: replyEml({
        from: email('RPL-THR'),
        date: sentNow(),
        subject: 'Re: Invoice RPL-THR-1 is overdue',
        inReplyTo: '<rpl-thr-reminder-1@example.com>',
        text: `We will pay 120 on ${day.toFormat('d LLLL yyyy')}.\n\n> Invoice RPL-THR-1 <b>is</b> overdue`,
      }),
      source: 'http',
      sourceRef: null,
    });
    expect(threaded).toMatchObject({ contact: reminder.id, classification: 'promise' });
    const loose = await receive(email('RPL-THR'), 'Who <should> I call about this?', 'A question');
    expect(loose.contact).toBeNull();
    const suggestion = await suggestionOf(threaded.reply);

    const entries = (html: string) => [...html.matchAll(/<ol class="timeline"[\s\S]*?<\/ol>\s*<p class="cust-pager">/g)][0]?.[0] ?? '';
    const first = await collector.get('/console/customers/RPL-THR');
    const page1 = entries(first.body);
    // The unthreaded reply: its own entry at the top, its text as plain text (escaped), classification and reason.
    expect(page1).toMatch(/<li class="reply">\s*<div><strong>Reply from rpl-thr@example.ro<\/strong>/);
    expect(page1).toContain('Who &lt;should&gt; I call about this?');
    expect(page1).toContain('<span class="tag">other</span>');
    expect(page1).not.toContain('Invoice RPL-THR-1 is overdue');
    expect(page1).not.toContain('We will pay 120');

    const next = /<a href="([^"]+)" rel="next">/
      .exec(first.body)![1]!
      .replaceAll('&#x3D;', '=')
      .replaceAll('&amp;', '&')
      .replace(/#.*$/, '');
    const page2 = entries((await collector.get(next)).body);
    const reminderEntry = page2.slice(page2.indexOf('EMAIL: Invoice RPL-THR-1 is overdue'));
    expect(reminderEntry).toMatch(
      /<ol class="timeline-replies" aria-label="Replies to this message">\s*<li><div><strong>Reply from rpl-thr@example.ro<\/strong>/,
    );
    expect(reminderEntry).toContain('<span class="tag">promise</span>');
    expect(reminderEntry).toContain('<strong>Re: Invoice RPL-THR-1 is overdue</strong>');
    expect(reminderEntry).toMatch(new RegExp(`Suggested promise to pay RON\\s120\\.00 by ${day.toISODate()}`));
    expect(reminderEntry).toContain(`href="/console/replies#suggestion-${suggestion.id}"`);
    expect(reminderEntry).toContain('&lt;b&gt;is&lt;/b&gt;');
    expect(page2.match(/Reply from/g)).toHaveLength(1);
  });

  it('refuses a forged form, a malformed id and an unknown suggestion without a 500', async () => {
    const forged = await collector.post('/console/replies/suggestions/00000000-0000-4000-8000-000000000000/dismiss', { _csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    const malformed = await collector.post('/console/replies/not-an-id/handled', {});
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).toContain('id: not-an-id');
    const unknown = await collector.post('/console/replies/suggestions/00000000-0000-4000-8000-000000000000/dismiss', {});
    expect(unknown.statusCode).toBe(303);
    expect(collector.jar.flash()).toMatchObject({ error: true, message: expect.stringContaining('not found') });
  });
});
