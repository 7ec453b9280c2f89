import { defineConfig } from 'vitest/config';

// Two projects share one runner: `unit` needs nothing but Node; `integration` boots one real
// Postgres and one real redis-server for the whole run (test/support/global-setup.ts), and each
// test file takes its own database and queue prefix from them.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // Ceilings for a hung test, not speed checks: a test that spawns the CLI twice took over
          // a minute on a CI machine running at load average ~9.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
