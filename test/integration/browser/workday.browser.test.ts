import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedConsole } from './console-seed.js';
import { WIDTHS } from './pages.js';
import { axeViolations, describeInBrowser, serveToBrowser, SHOTS, signIn } from './support.js';

// A collector's day and a manager's, clicked through in a real Chromium on demo-like data: sign
// in, the worklist, a search, the customer, a call that completes its task, a promise recorded
// then cancelled; alerts acknowledged in bulk and the dashboard read. Each step leaves a
// screenshot at both widths (test-results/screenshots/day-*.png) and must pass axe-core.

// Each walk takes a dozen screenshots and axe runs; on a loaded CI machine that outgrows the default minute.
const WALK_TIMEOUT_MS = 180_000;

describeInBrowser("a collector's and a manager's day in the console", (executablePath) => {
  let t: TestHttpApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await startTestHttpApp();
    await seedConsole(t, new Date());
    ({ base, browser } = await serveToBrowser(t, executablePath));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Screenshots of the page as it stands at desktop and phone widths, and no axe-core violation. */
  const record = async (page: Page, name: string) => {
    for (const viewport of WIDTHS) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: `${SHOTS}/day-${name}-${viewport.width}.png`, fullPage: true });
      expect(
        (await axeViolations(page)).map((v) => `${v.id}: ${v.help}`),
        `axe on ${name} at ${viewport.width}`,
      ).toEqual([]);
    }
    await page.setViewportSize(WIDTHS[0]);
  };

  it(
    'a collector works an account: worklist, search, customer, a call that completes its task, a promise recorded and cancelled',
    async () => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${base}/console/worklist`);
      await signIn(page, 'collector');

      // The worklist opens on the collector's own accounts; the legal-hold account is not among them.
      await expect.poll(() => page.url()).toContain('/console/worklist');
      const worklist = page.locator('main table');
      await expect.poll(() => worklist.first().innerText()).toContain('TR-ANADOLU-3');
      expect(await page.locator('main').innerText()).not.toContain('US-HARBOR-0042');
      await record(page, 'worklist');

      await page.getByRole('searchbox', { name: 'Search' }).fill('Anadolu');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/q=Anadolu/);
      await record(page, 'search');
      await page
        .getByRole('link', { name: /Anadolu Ticaret/ })
        .first()
        .click();
      await page.waitForURL(/\/console\/customers\/TR-ANADOLU-3/);

      // The customer: what is owed, in its own currency, and the overdue call task.
      const owed = page.getByRole('region', { name: 'Owed per currency' });
      expect(await owed.innerText()).toMatch(/TRY[\s\S]*30,625\.00/);
      const tasks = page.locator('section[aria-labelledby="tasks-h"]');
      expect(await tasks.innerText()).not.toMatch(/no open call tasks/i);
      await record(page, 'customer');

      await page.locator('#call-outcome').selectOption('promised');
      await page.locator('#call-notes').fill('Spoke to accounts: they will pay part next week.');
      await page.getByRole('button', { name: 'Log call' }).click();
      await page.waitForURL(/\/console\/customers\/TR-ANADOLU-3/);
      expect(await page.locator('p.flash').innerText()).toMatch(/call/i);
      expect(await page.locator('section[aria-labelledby="tasks-h"]').innerText()).toMatch(/no open call tasks/i);
      expect(await page.locator('ol.timeline').innerText()).toContain('Spoke to accounts');

      // A promise for part of the balance, then cancelled: each shows once.
      const inFiveDays = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
      await page.locator('#promise-amount').fill('10000.00');
      await page.locator('#promise-currency').fill('TRY');
      await page.locator('#promise-date').fill(inFiveDays);
      await page.getByRole('button', { name: 'Record promise' }).click();
      await page.waitForURL(/\/console\/customers\/TR-ANADOLU-3/);
      const promises = page.locator('section[aria-labelledby="promises-h"]');
      expect(await promises.innerText()).toContain('10,000.00');
      await record(page, 'promise');

      await promises.getByLabel('Reason to cancel').fill('Customer withdrew the promise on a second call');
      await promises.getByRole('button', { name: 'Cancel promise' }).click();
      await page.waitForURL(/\/console\/customers\/TR-ANADOLU-3/);
      expect(await page.locator('section[aria-labelledby="promises-h"]').innerText()).not.toContain('10,000.00');

      // The task is gone from My tasks too.
      await page.goto(`${base}/console/tasks`);
      expect(await page.locator('main').innerText()).not.toContain('Anadolu Ticaret');
      await record(page, 'tasks');
      await page.context().close();
    },
    WALK_TIMEOUT_MS,
  );

  it(
    'a manager acknowledges alerts in bulk and reads the dashboard',
    async () => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${base}/console/alerts`);
      await signIn(page, 'manager');
      await page.waitForURL(/\/console\/alerts/);
      const boxes = page.locator('main input[type=checkbox]');
      expect(await boxes.count()).toBeGreaterThanOrEqual(2);
      await record(page, 'alerts');
      for (const box of await boxes.all()) await box.check();
      await page.getByRole('button', { name: 'Acknowledge chosen alerts' }).click();
      await page.waitForURL(/\/console\/alerts/);
      expect(await page.locator('main input[type=checkbox]').count()).toBe(0);

      await page.goto(`${base}/console/dashboard`);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Manager dashboard');
      await record(page, 'dashboard');
      await page.context().close();
    },
    WALK_TIMEOUT_MS,
  );
});
