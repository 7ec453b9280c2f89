import type { Reporter, TestModule } from 'vitest/node';

/** Key of the test meta that console.browser.test.ts sets when it could not get a Chromium. */
export const BROWSER_NOT_RUN = 'browserNotRun';

declare module 'vitest' {
  interface TaskMeta {
    /** Why the browser test did not run (no Chromium, and none could be installed). */
    [BROWSER_NOT_RUN]?: string;
  }
}

/**
 * Ends `npm test` with a banner when the browser test did not run, so a run without Chromium
 * never looks like a full pass. Listed after the default reporter in package.json's `test`.
 */
export default class BrowserNotRunReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const reasons = new Set<string>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const reason = test.meta()[BROWSER_NOT_RUN];
        if (reason) reasons.add(reason);
      }
    }
    if (reasons.size === 0) return;
    const rule = '!'.repeat(100);
    const lines = [
      '',
      rule,
      '!!  THE BROWSER TEST DID NOT RUN (test/integration/browser): this run proves less than CI.',
      ...[...reasons].map((reason) => `!!  ${reason}`),
      '!!  CI fails instead (CI=true); so does ARREARS_REQUIRE_BROWSER=1.',
      rule,
      '',
    ];
    process.stderr.write(`${lines.join('\n')}\n`);
  }
}
