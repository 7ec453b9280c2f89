import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedConsole } from './console-seed.js';
import { CONSOLE_PAGES, WIDTHS, type ConsolePage } from './pages.js';
import { axeViolations, describeInBrowser, serveToBrowser, horizontalOverflow, SHOTS, signIn } from './support.js';

// Every console page in pages.ts, at desktop and phone widths: a screenshot for reviewers, no
// page-wide sideways scroll (wide tables scroll inside their own box), and no axe-core violation.

describeInBrowser('every console page at 1440 and 390 px', (executablePath) => {
  let t: TestHttpApp;
  let browser: Browser;
  let base: string;
  const contexts = new Map<ConsolePage['role'], BrowserContext>();

  beforeAll(async () => {
    t = await startTestHttpApp();
    await seedConsole(t, new Date());
    ({ base, browser } = await serveToBrowser(t, executablePath));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** One signed-in browser context per role, reused by every page of that role. */
  const contextFor = async (role: ConsolePage['role']): Promise<BrowserContext> => {
    const existing = contexts.get(role);
    if (existing) return existing;
    const context = await browser.newContext();
    if (role !== null) {
      const page = await context.newPage();
      await page.goto(`${base}/console/login`);
      await signIn(page, role);
      await page.close();
    }
    contexts.set(role, context);
    return context;
  };

  for (const consolePage of CONSOLE_PAGES) {
    for (const viewport of WIDTHS) {
      it(`${consolePage.name} (${consolePage.path}, ${consolePage.role ?? 'signed out'}) at ${viewport.width} px`, async () => {
        const page = await (await contextFor(consolePage.role)).newPage();
        await page.setViewportSize(viewport);
        try {
          const response = await page.goto(`${base}${consolePage.path}`);
          expect(response?.url(), 'the page was not redirected (to sign in, or away)').toBe(`${base}${consolePage.path}`);
          await page.screenshot({ path: `${SHOTS}/${consolePage.name}-${viewport.width}.png`, fullPage: true });

          const { overflow, widest } = await horizontalOverflow(page);
          expect(overflow, `the page scrolls sideways by ${overflow} px; sticking out: ${widest.join(', ')}`).toBe(0);

          const violations = await axeViolations(page);
          const report = violations.map(
            (v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${n.target}: ${n.summary.replace(/\n/g, ' ')}`).join('\n')}`,
          );
          expect(report, 'axe-core violations').toEqual([]);
        } finally {
          await page.close();
        }
      });
    }
  }
});
