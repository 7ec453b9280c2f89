import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyDependencies } from '../../../../src/app/services.js';
import { receiveEmail, type ReplyDependencies } from '../../../../src/replies/receive.js';
import { receiveSms } from '../../../../src/replies/receive-sms.js';
import { consoleSession, type ConsoleSession } from '../../../support/console-session.js';
import { startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';
import { TIMELINE_PAGE } from '../../../../src/http/console/customer.routes.js';
import { replyEml } from '../../replies/reply-mail.js';

// The Replies page's one-click actions, driven as a collector's browser does (session, CSRF):
// replies arrive through receiveEmail, the one path every email source takes.

const CUSTOMERS = ['RPL-PRM', 'RPL-DSM', 'RPL-HND', 'RPL-ASG', 'RPL-THR', 'RPL-COR', 'RPL-DSP', 'RPL-SMS'];
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
        ...(externalId === 'RPL-SMS' && { mobile: '+40721000555', smsConsent: true }),
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
    // Confirming handled the reply: its reply pause is over, it no longer awaits a person.
    const handled = await prisma().reply.findUniqueOrThrow({ where: { id: received.reply } });
    expect(handled.handledAt).not.toBeNull();
    expect((await collector.get('/console/replies')).body).not.toContain(`id="reply-${received.reply}"`);
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

  it("shows replies in the customer's timeline as entries of their own by received time, newest first, a threaded one naming the message it answers, each once across pages", async () => {
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
        // Written five minutes before the question below: the older of the two replies.
        date: DateTime.utc().minus({ minutes: 5 }).toRFC2822()!,
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
    // Both replies are entries of their own at the top, newest first, by their received time,
    // the threaded one days after the reminder it answers (which the notes push to page two).
    expect([...page1.matchAll(/<li class="(\w+)">/g)].map((m) => m[1]).slice(0, 2)).toEqual(['reply', 'reply']);
    const [looseEntry, threadedEntry] = page1.split('<li class="reply">').slice(1, 3) as [string, string];
    expect(looseEntry).toMatch(/^\s*<div><strong>Reply from rpl-thr@example.ro<\/strong>/);
    expect(looseEntry).toContain('Who &lt;should&gt; I call about this?');
    expect(looseEntry).toContain('<span class="tag">other</span>');
    expect(looseEntry).not.toContain('In reply to');
    // The threaded one keeps its thread: what it answers, and when that went.
    const sentAt = DateTime.fromJSDate(reminder.createdAt).setZone('Europe/Bucharest').toFormat('yyyy-MM-dd HH:mm');
    expect(threadedEntry).toMatch(new RegExp(`In reply to “Invoice RPL-THR-1 is overdue” of <time datetime="[^"]+">${sentAt}</time>`));
    expect(threadedEntry).toContain('<span class="tag">promise</span>');
    expect(threadedEntry).toContain('<strong>Re: Invoice RPL-THR-1 is overdue</strong>');
    expect(threadedEntry).toMatch(new RegExp(`Suggested promise to pay RON\\s120\\.00 by ${day.toISODate()}`));
    expect(threadedEntry).toContain(`href="/console/replies#suggestion-${suggestion.id}"`);
    expect(threadedEntry).toContain('&lt;b&gt;is&lt;/b&gt;');

    const next = /<a href="([^"]+)" rel="next">/
      .exec(first.body)![1]!
      .replaceAll('&#x3D;', '=')
      .replaceAll('&amp;', '&')
      .replace(/#.*$/, '');
    const page2 = entries((await collector.get(next)).body);
    const reminderEntry = page2.slice(page2.indexOf('EMAIL: Invoice RPL-THR-1 is overdue'));
    expect(reminderEntry).toMatch(/Answered: <time datetime="[^"]+">/);
    expect(page2).not.toContain('Reply from');
  });

  it('a collector corrects a suggested promise before confirming it; a bad date or amount is named next to its field and records nothing', async () => {
    const day = DateTime.utc().plus({ days: 10 });
    const received = await receive(email('RPL-COR'), `We will pay 300 on ${day.toFormat('d LLLL yyyy')}.`);
    const suggestion = await suggestionOf(received.reply);
    const form = (body: string) => body.slice(body.indexOf(`id="suggestion-${suggestion.id}"`)).split('</li>')[0]!;
    // What one click would record, shown and editable.
    const shown = form((await collector.get('/console/replies')).body);
    expect(shown).toContain(`name="promisedOn" type="date" value="${day.toISODate()}"`);
    expect(shown).toMatch(/name="amount" inputmode="decimal" value="300.00"/);
    const confirm = (fields: Record<string, string>) => collector.post(`/console/replies/suggestions/${suggestion.id}/confirm`, fields);

    const tooLate = DateTime.utc().plus({ days: 400 }).toISODate()!;
    const refusals: Array<[Record<string, string>, string, RegExp]> = [
      [{ promisedOn: tooLate, amount: '250.50' }, 'promisedOn', /promisedOn: must be within \d+ days/],
      [{ promisedOn: 'next week', amount: '250.50' }, 'promisedOn', /promisedOn: must be a date YYYY-MM-DD/],
      [{ promisedOn: day.toISODate()!, amount: '12,50' }, 'amount', /amount: &quot;12,50&quot; is not a decimal amount/],
      [{ promisedOn: day.toISODate()!, amount: '0' }, 'amount', /amount: must be more than zero/],
      [{ promisedOn: day.toISODate()!, amount: '9000' }, 'amount', /amount: is more than the open balance \(500.00 RON\)/],
    ];
    for (const [fields, field, message] of refusals) {
      const refused = await confirm(fields);
      expect([refused.statusCode, refused.headers.location]).toEqual([303, '/console/replies']);
      const again = form((await collector.get('/console/replies')).body);
      expect(again).toMatch(message);
      expect(again).toContain(`id="${field}-${suggestion.id}" name="${field}"`);
      expect(again).toMatch(new RegExp(`name="${field}"[^>]*value="${fields[field]!}"[^>]*aria-invalid="true"`));
    }
    expect((await suggestionOf(received.reply)).status).toBe('open');
    expect(await prisma().promiseToPay.count({ where: { customer: { externalId: 'RPL-COR' } } })).toBe(0);

    const corrected = day.plus({ days: 2 }).toISODate()!;
    await confirm({ promisedOn: corrected, amount: '250.50' });
    expect(collector.jar.flash()?.message).toContain('Promise to pay recorded');
    const promises = await prisma().promiseToPay.findMany({ where: { customer: { externalId: 'RPL-COR' } } });
    expect(promises.map((p) => [p.amountMinor, p.promisedOn.toISOString().slice(0, 10), p.channel])).toEqual([
      [250_50n, corrected, 'email'],
    ]);
  });

  it("a collector corrects a suggested dispute's invoices; one not open for the customer is named and opens nothing", async () => {
    const received = await receive(email('RPL-DSP'), 'The amount on your invoice is wrong, we never received the goods.');
    expect(received.classification).toBe('dispute');
    const suggestion = await suggestionOf(received.reply);
    const url = `/console/replies/suggestions/${suggestion.id}/confirm`;
    await collector.post(url, { invoices: 'RPL-DSP-1, NOPE-9' });
    const again = (await collector.get('/console/replies')).body;
    expect(again).toContain('invoices: NOPE-9: not an open invoice of this customer');
    expect(again).toMatch(/name="invoices" value="RPL-DSP-1, NOPE-9"[^>]*aria-invalid="true"/);
    expect(await prisma().dispute.count({ where: { customer: { externalId: 'RPL-DSP' } } })).toBe(0);
    await collector.post(url, { invoices: 'RPL-DSP-1' });
    expect(collector.jar.flash()?.message).toContain('Dispute opened from the reply (1 invoice)');
    const disputes = await prisma().dispute.findMany({ where: { customer: { externalId: 'RPL-DSP' } }, include: { invoice: true } });
    expect(disputes.map((d) => d.invoice.number)).toEqual(['RPL-DSP-1']);
  });

  it('an SMS reply is on the Replies page and in the timeline like an email reply', async () => {
    const received = await receiveSms(deps, t.runtime.config.company, {
      provider: 'twilio',
      from: '+40721000555',
      body: 'Who is calling me about RPL-SMS-1?',
      messageSid: 'SMconsole000000000000000000000001',
    });
    expect(received.received).toMatchObject({ customer: 'RPL-SMS', classification: 'other' });
    const page = (await collector.get('/console/replies')).body;
    const entry = page.slice(page.indexOf(`id="reply-${received.received!.reply}"`)).split('</li>')[0]!;
    expect(entry).toContain('From +40721000555');
    expect(entry).toContain('<strong>Text message (SMS)</strong>');
    expect(entry).toContain('Who is calling me about RPL-SMS-1?');
    const timeline = (await collector.get('/console/customers/RPL-SMS')).body;
    expect(timeline).toMatch(/<li class="reply">\s*<div><strong>SMS reply from \+40721000555<\/strong>/);
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
