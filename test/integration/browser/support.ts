import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { provideChromium } from '../../../src/dev/chromium.js';
import { findFreePort } from '../../../src/dev/free-port.js';
import { createLogger } from '../../../src/logging/logger.js';
import { PASSWORD, type TestHttpApp } from '../../support/http-app.js';
import { BROWSER_NOT_RUN } from './browser-not-run.reporter.js';

// What every browser test shares: Chromium (Debian's, or any Chromium/Chrome: CHROMIUM_PATH),
// headless, driven by playwright-core. When it is missing and this is Debian as root, it is
// installed with apt-get, as redis-server is. When it cannot be had, a browser test file does not
// pass quietly: under CI (or ARREARS_REQUIRE_BROWSER=1) it fails; elsewhere its test is skipped and
// `npm test` ends with a banner saying the browser test did not run (browser-not-run.reporter.ts).

export const chromiumLookup = await provideChromium(createLogger({ level: 'info', format: 'json', production: true }));

/**
 * `describe(name, …)` with the Chromium to drive; when there is none, one test that fails under CI
 * (or ARREARS_REQUIRE_BROWSER=1) and is skipped elsewhere, marked for the not-run banner.
 */
export function describeInBrowser(name: string, body: (executablePath: string) => void): void {
  const lookup = chromiumLookup;
  if (lookup.found) {
    describe(name, () => body(lookup.path));
    return;
  }
  describe(name, () => {
    it('did not run: no Chromium on this machine', (context) => {
      const message = `the browser test did not run: ${lookup.reason}`;
      if (process.env.CI || process.env.ARREARS_REQUIRE_BROWSER === '1') throw new Error(message);
      context.task.meta[BROWSER_NOT_RUN] = lookup.reason;
      console.warn(`\n*** ${message}\n`);
      context.skip(message);
    });
  });
}

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots for reviewers; git-ignored. */
export const SHOTS = 'test-results/screenshots';

/**
 * The test app listening on a free loopback port, and a headless Chromium to drive it: what each
 * browser test's `beforeAll` ends with. Close the browser before the app.
 */
export async function serveToBrowser(t: TestHttpApp, executablePath: string): Promise<{ base: string; browser: Browser }> {
  const port = await findFreePort();
  await t.app.listen({ host: '127.0.0.1', port });
  await mkdir(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
  return { base: `http://127.0.0.1:${port}`, browser };
}

/** Signs in through the login form (the page must be on it, e.g. after visiting a console page). */
export async function signIn(page: Page, role: 'collector' | 'manager' | 'admin'): Promise<void> {
  await page.getByLabel('Email').fill(`${role}@example.com`);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string; summary: string }>;
}

/** axe-core's violations on the page as it stands (WCAG 2.x A/AA and best practices). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated rather than added as a <script>: the console's Content-Security-Policy forbids inline scripts.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe;
    interface AxeResults {
      violations: Array<{
        id: string;
        impact?: string | null;
        help: string;
        nodes: Array<{ target: unknown[]; failureSummary?: string }>;
      }>;
    }
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary ?? '' })),
    }));
  });
}

/** How far the page is wider than the viewport (0 when nothing scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<{ overflow: number; widest: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    if (root.scrollWidth <= width) return { overflow: 0, widest: [] };
    // The elements that stick out past the right edge, to say what to fix.
    const clipped = (el: Element): boolean => {
      for (let up = el.parentElement; up; up = up.parentElement) if (getComputedStyle(up).overflowX !== 'visible') return true;
      return false;
    };
    const widest = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !clipped(el))
      .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 0.5)
      .slice(0, 5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).replace(/\s+/g, '.')}` : ''}`,
      );
    return { overflow: root.scrollWidth - width, widest };
  });
}
