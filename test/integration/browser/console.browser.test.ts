import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';
import { describeInBrowser, serveToBrowser, SHOTS, signIn } from './support.js';

describeInBrowser('the console in a real browser', (executablePath) => {
  let t: TestHttpApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await startTestHttpApp();
    const ids = await seedLedger(t.runtime.prisma, [
      {
        externalId: 'ACME-7',
        name: 'Acme Distribution SRL',
        invoices: [
          { number: 'F-1001', amountMinor: 1_250_00, issuedOn: '2025-12-01', dueOn: '2026-01-01' },
          { number: 'F-1002', amountMinor: 830_40, issuedOn: '2026-01-05', dueOn: '2026-02-05' },
        ],
      },
      {
        externalId: 'BETA-2',
        name: 'Beta Foods SRL',
        invoices: [{ number: 'B-77', amountMinor: 99_00, issuedOn: '2026-01-05', dueOn: '2026-02-05' }],
      },
    ]);
    await t.runtime.prisma.contact.create({
      data: {
        customerId: ids.get('ACME-7')!,
        channel: 'email',
        status: 'delivered',
        subject: 'Reminder: invoice F-1001 is overdue',
        bodyText: 'Hello, invoice F-1001 for 1,250.00 RON is now overdue. Please pay at https://pay.example.com.',
        recipient: 'acme-7@example.com',
        idempotencyKey: 'browser-1',
        statusEvents: { create: [{ status: 'queued' }, { status: 'sent' }, { status: 'delivered' }] },
      },
    });
    ({ base, browser } = await serveToBrowser(t, executablePath));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a collector signs in, finds a customer on the worklist, reads its contact log and records a promise to pay', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/console/worklist`);
    await expect(page.getByRole('heading', { name: 'Sign in to Arrears' }).count()).resolves.toBe(1);
    await signIn(page, 'collector');
    await page.waitForURL(`${base}/console/worklist`);
    // Every account, not only the collector's own (the default view).
    await page.goto(`${base}/console/worklist?view=all&collector=all`);
    expect(await page.locator('tbody').textContent()).toContain('Acme Distribution SRL');
    await page.screenshot({ path: `${SHOTS}/worklist.png`, fullPage: true });

    await page.getByRole('link', { name: 'Acme Distribution SRL' }).click();
    await page.waitForURL(`${base}/console/customers/ACME-7`);
    expect(await page.locator('main').textContent()).toContain('F-1002');
    const timeline = page.locator('ol.timeline');
    expect(await timeline.textContent()).toContain('Reminder: invoice F-1001 is overdue');
    expect(await timeline.textContent()).toMatch(/queued.*sent.*delivered/s);
    await page.getByText('Message', { exact: true }).click();
    expect(await page.locator('pre.body').isVisible()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/customer.png`, fullPage: true });

    // A promise to pay through the form; the page comes back with a message and the promise on the timeline.
    const promisedOn = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const promise = page.getByRole('form', { name: 'Record a promise to pay' });
    await promise.getByLabel('Amount', { exact: true }).fill('1250.00');
    expect(await promise.getByLabel('Currency').inputValue()).toBe('RON');
    await promise.getByLabel('Promised date').fill(promisedOn);
    await promise.getByRole('button', { name: 'Record promise' }).click();
    await page.waitForURL(`${base}/console/customers/ACME-7`);
    expect(await page.getByRole('status').textContent()).toContain(`Promise to pay recorded: 1250.00 RON by ${promisedOn}`);
    expect(await timeline.locator('li.promise').first().textContent()).toMatch(
      new RegExp(`Promise to pay RON\\s1,250\\.00 by ${promisedOn}`),
    );
    expect(await page.getByRole('form', { name: 'Place a legal hold' }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/customer-promise.png`, fullPage: true });

    // Keyboard only: the skip link is the first stop and leads to the content.
    await page.goto(`${base}/console/worklist`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.close();
  });

  it('a manager places and releases a legal hold, and sees both on the timeline', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/console/customers/ACME-7`);
    await signIn(page, 'manager');
    await page.waitForURL(`${base}/console/customers/ACME-7`);
    const timeline = page.locator('ol.timeline');

    await page.locator('summary', { hasText: 'Manager actions' }).click();
    const place = page.getByRole('form', { name: 'Place a legal hold' });
    await place.getByLabel('Reason').fill('Handed to Lex & Co');
    await place.getByRole('button', { name: 'Place legal hold' }).click();
    await page.waitForURL(`${base}/console/customers/ACME-7`);
    expect(await page.getByRole('status').textContent()).toContain('Legal hold placed');
    expect(await timeline.textContent()).toContain('Legal hold placed');
    expect(await page.locator('.tag.bad', { hasText: 'legal hold' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/customer-legal-hold.png`, fullPage: true });

    await page.locator('summary', { hasText: 'Manager actions' }).click();
    const release = page.getByRole('form', { name: 'Release the legal hold' });
    await release.getByLabel('Reason').fill('Agency returned the account');
    await release.getByRole('button', { name: 'Release legal hold' }).click();
    await page.waitForURL(`${base}/console/customers/ACME-7`);
    expect(await page.getByRole('status').textContent()).toContain('Legal hold released');
    const story = await timeline.textContent();
    expect(story).toContain('Legal hold released');
    expect(story).toContain('Agency returned the account');
    expect(story).toContain('Legal hold placed');
    await page.locator('summary', { hasText: 'Manager actions' }).click();
    expect(await page.getByRole('form', { name: 'Place a legal hold' }).count()).toBe(1);
    await page.close();
  });

  it('a manager writes off the whole open balance of a customer and assigns its collector', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/console/customers/BETA-2`);
    await signIn(page, 'manager');
    await page.waitForURL(`${base}/console/customers/BETA-2`);

    await page.locator('summary', { hasText: 'Manager actions' }).click();
    const settings = page.getByRole('form', { name: 'Customer settings' });
    await settings.getByLabel('Assigned collector').selectOption({ label: 'Ana collector (collector@example.com)' });
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(`${base}/console/customers/BETA-2`);
    expect(await page.getByRole('status').textContent()).toContain('Customer settings saved (collector)');

    await page.locator('summary', { hasText: 'Manager actions' }).click();
    const form = page.getByRole('form', { name: 'Write off' });
    expect(await form.getByLabel('What').inputValue()).toBe('*all');
    await form.getByLabel('Reason').fill('Customer ceased trading');
    await form.getByRole('button', { name: 'Write off' }).click();
    await page.waitForURL(`${base}/console/customers/BETA-2`);
    expect(await page.getByRole('status').textContent()).toContain('Written off: 99.00 RON (B-77).');
    expect(await page.getByRole('table', { name: 'Open invoices' }).textContent()).toContain('No open invoices.');
    expect(await page.getByRole('form', { name: 'Write off' }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/customer-written-off.png`, fullPage: true });
    await page.close();
  });
});
