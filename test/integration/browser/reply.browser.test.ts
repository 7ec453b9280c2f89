import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startMailbox } from '../../../src/app/worker.js';
import type { MailboxPoller } from '../../../src/replies/mailbox-poller.js';
import { startDovecot, type TestDovecot } from '../../support/dovecot.js';
import { startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';
import { replyEml } from '../replies/reply-mail.js';
import { WIDTHS } from './pages.js';
import { axeViolations, describeInBrowser, serveToBrowser, SHOTS, signIn } from './support.js';

// Issue 17's "done when", with real parts: a customer's reply to a reminder is APPENDed to a real
// Dovecot mailbox, the IMAP poller (imapflow) takes it onto the reply path, and in a real
// Chromium a collector sees it at the top of the customer's timeline with the ladder waiting on
// it, confirms the suggested promise in one click on the Replies page, and finds the promise on
// the customer page and the reply pause over. Screenshots: test-results/screenshots/reply-*.png.

const CUSTOMER = 'E2E-REPLY-1';
const REMINDER_SUBJECT = 'Invoice E2E-1 is overdue';

describeInBrowser('a reply from the mailbox to a confirmed promise, in the browser', (executablePath) => {
  let t: TestHttpApp;
  let dovecot: TestDovecot;
  let poller: MailboxPoller | null = null;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    [t, dovecot] = await Promise.all([startTestHttpApp(), startDovecot()]);
    const day = (offset: number) => DateTime.utc().plus({ days: offset }).toISODate()!;
    const ids = await seedLedger(t.runtime.prisma, [
      {
        externalId: CUSTOMER,
        name: 'Reply Test Trading SRL',
        email: 'accounts@e2e-reply.example',
        invoices: [{ number: 'E2E-1', amountMinor: 1_200_00, issuedOn: day(-40), dueOn: day(-10) }],
      },
    ]);
    // The reminder the customer answers; our Message-ID for it is <e2e-reminder-1@…>.
    await t.runtime.prisma.contact.create({
      data: {
        customerId: ids.get(CUSTOMER)!,
        channel: 'email',
        status: 'delivered',
        subject: REMINDER_SUBJECT,
        bodyText: 'Invoice E2E-1 for 1,200.00 RON is overdue.',
        recipient: 'accounts@e2e-reply.example',
        idempotencyKey: 'e2e-reminder-1',
        createdAt: DateTime.utc().minus({ days: 2 }).toJSDate(),
      },
    });
    poller = await startMailbox(t.runtime, {
      url: dovecot.url,
      user: dovecot.user,
      password: dovecot.password,
      mailbox: 'INBOX',
      processedMailbox: 'Processed',
      pollSeconds: 60,
    });
    ({ base, browser } = await serveToBrowser(t, executablePath));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await poller?.stop();
    await t?.close();
    await dovecot?.stop();
  });

  /** Screenshots at desktop and phone widths, and no axe-core violation. */
  const record = async (page: Page, name: string) => {
    for (const viewport of WIDTHS) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: `${SHOTS}/reply-${name}-${viewport.width}.png`, fullPage: true });
      expect(
        (await axeViolations(page)).map((v) => `${v.id}: ${v.help}`),
        `axe on ${name} at ${viewport.width}`,
      ).toEqual([]);
    }
    await page.setViewportSize(WIDTHS[0]);
  };

  it('the reply is polled, shown first in the timeline, pauses the ladder, and one click confirms its promise and ends the pause', async () => {
    const promisedOn = DateTime.utc().plus({ days: 9 });
    await dovecot.append(
      replyEml({
        from: 'accounts@e2e-reply.example',
        subject: `Re: ${REMINDER_SUBJECT}`,
        inReplyTo: '<e2e-reminder-1@mail.arrears.example>',
        messageId: '<e2e-reply-1@mail.customer.example>',
        date: DateTime.utc().minus({ minutes: 1 }).toRFC2822()!,
        text: `We will pay on ${promisedOn.toFormat('d LLLL yyyy')}.\n\n> ${REMINDER_SUBJECT}`,
      }),
    );
    // One poll: the poller moves what it took to Processed.
    await vi.waitFor(async () => expect(await dovecot.count('Processed')).toBe(1), { timeout: 30_000, interval: 200 });

    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/console/customers/${CUSTOMER}`);
    await signIn(page, 'collector');
    await page.waitForURL(new RegExp(`/console/customers/${CUSTOMER}`));

    // Newest first: the reply is the timeline's first entry, naming the reminder it answers.
    const first = page.locator('ol.timeline > li').first();
    expect(await first.getAttribute('class')).toBe('reply');
    const entry = await first.innerText();
    expect(entry).toContain('Reply from accounts@e2e-reply.example');
    expect(entry).toMatch(new RegExp(`In reply to “${REMINDER_SUBJECT}” of \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d`));
    expect(entry).toContain(`Suggested promise to pay`);
    expect(entry).toContain(promisedOn.toISODate()!);
    // The ladder waits on the reply: automated contact is paused.
    const ladder = page.locator('h3', { hasText: 'Ladder' }).locator('..');
    expect(await ladder.innerText()).toMatch(
      /Waiting: overdue-7 email \(paused: a reply from the customer awaits a collector, paused through \d{4}-\d\d-\d\d\)/,
    );
    await record(page, 'customer-paused');

    // The Replies page: the suggestion, its date and amount filled in, confirmed in one click.
    await page.getByRole('link', { name: 'confirm or dismiss on the Replies page' }).click();
    await page.waitForURL(/\/console\/replies/);
    const suggestion = page.locator('li[id^="suggestion-"]', { hasText: 'Reply Test Trading SRL' });
    expect(await suggestion.getByLabel('Promised date').inputValue()).toBe(promisedOn.toISODate());
    expect(await suggestion.getByLabel(/Amount/).inputValue()).toBe('1200.00');
    await record(page, 'replies');
    await suggestion.getByRole('button', { name: 'Confirm promise' }).click();
    await page.waitForURL(/\/console\/replies/);
    expect(await page.locator('p.flash').innerText()).toContain('Promise to pay recorded from the reply, and the reply handled');
    expect(await page.locator('main').innerText()).not.toContain('Reply Test Trading SRL');
    await record(page, 'replies-confirmed');

    // The customer page: the promise, and the ladder no longer waiting on the reply.
    await page.goto(`${base}/console/customers/${CUSTOMER}`);
    const promises = page.locator('section[aria-labelledby="promises-h"]');
    expect(await promises.innerText()).toMatch(new RegExp(`1,200\\.00[\\s\\S]*${promisedOn.toISODate()}`));
    expect(await ladder.innerText()).not.toContain('a reply from the customer awaits a collector');
    await record(page, 'customer-promised');
    await page.context().close();
  });
});
