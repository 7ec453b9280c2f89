import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../src/dev/free-port.js';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';

// Debian's chromium, headless, driven by playwright-core (`.ci/run` installs it when missing).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Screenshots for reviewers; git-ignored. */
const SHOTS = 'test-results/screenshots';

describe.skipIf(!existsSync(CHROMIUM))('the console in a real browser', () => {
  let t: TestHttpApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await startTestHttpApp();
    const ids = await seedLedger(t.runtime.prisma, [
      { externalId: 'ACME-7', name: 'Acme Distribution SRL', invoices: [
        { number: 'F-1001', amountMinor: 1_250_00, issuedOn: '2025-12-01', dueOn: '2026-01-01' },
        { number: 'F-1002', amountMinor: 830_40, issuedOn: '2026-01-05', dueOn: '2026-02-05' },
      ] },
      { externalId: 'BETA-2', name: 'Beta Foods SRL', invoices: [{ number: 'B-77', amountMinor: 99_00, issuedOn: '2026-01-05', dueOn: '2026-02-05' }] },
    ]);
    await t.runtime.prisma.contact.create({
      data: {
        customerId: ids.get('ACME-7')!, channel: 'email', status: 'delivered', subject: 'Reminder: invoice F-1001 is overdue',
        bodyText: 'Hello, invoice F-1001 for 1,250.00 RON is now overdue. Please pay at https://pay.example.com.', recipient: 'acme-7@example.com',
        idempotencyKey: 'browser-1', statusEvents: { create: [{ status: 'queued' }, { status: 'sent' }, { status: 'delivered' }] },
      },
    });
    const port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    await t.app.listen({ host: '127.0.0.1', port });
    await mkdir(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a collector signs in, finds a customer on the worklist and reads its contact log', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/console/worklist`);
    await expect(page.getByRole('heading', { name: 'Sign in to Arrears' }).count()).resolves.toBe(1);
    await page.getByLabel('Email').fill('collector@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/console/worklist`);
    const rows = page.locator('tbody tr');
    expect(await rows.first().textContent()).toContain('Acme Distribution SRL');
    await page.screenshot({ path: `${SHOTS}/worklist.png`, fullPage: true });

    await page.getByRole('link', { name: 'Acme Distribution SRL' }).click();
    await page.waitForURL(`${base}/console/customers/ACME-7`);
    expect(await page.locator('table').first().textContent()).toContain('F-1002');
    const timeline = page.locator('ol.timeline');
    expect(await timeline.textContent()).toContain('Reminder: invoice F-1001 is overdue');
    expect(await timeline.textContent()).toMatch(/queued.*sent.*delivered/s);
    await page.getByText('Message', { exact: true }).click();
    expect(await page.locator('pre.body').isVisible()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/customer.png`, fullPage: true });

    // Keyboard only: the skip link is the first stop and leads to the content.
    await page.goto(`${base}/console/worklist`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.close();
  });
});
