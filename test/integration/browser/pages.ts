/**
 * The console pages the layout test (console-pages.browser.test.ts) visits at every width, signed
 * in as `role`: it saves `test-results/screenshots/<name>-<width>.png`, and asserts that nothing
 * scrolls page-wide sideways and that axe-core finds no violations. Add a page here when you add
 * one to the console; the data it shows comes from console-seed.ts (extend that too).
 */
export interface ConsolePage {
  /** File-name part of the screenshot: lower-case, dashes. */
  name: string;
  path: string;
  /** Who is signed in; null: nobody (the sign-in page). */
  role: 'collector' | 'manager' | 'admin' | null;
}

export const CONSOLE_PAGES: ConsolePage[] = [
  { name: 'login', path: '/console/login', role: null },
  { name: 'worklist', path: '/console/worklist', role: 'collector' },
  { name: 'customer', path: '/console/customers/ACME-7', role: 'collector' },
  { name: 'customer-manager', path: '/console/customers/ACME-7', role: 'manager' },
  { name: 'contact-log', path: '/console/contact-log', role: 'collector' },
  { name: 'tasks', path: '/console/tasks', role: 'collector' },
  { name: 'replies', path: '/console/replies', role: 'collector' },
  { name: 'dashboard', path: '/console/dashboard', role: 'manager' },
  { name: 'alerts', path: '/console/alerts', role: 'manager' },
  { name: 'queues', path: '/console/queues', role: 'admin' },
  { name: 'case-file', path: '/console/customers/ACME-7/case-file', role: 'manager' },
  { name: 'not-found', path: '/console/no-such-page', role: 'collector' },
];

/** Desktop and phone (iPhone 12–15 class). */
export const WIDTHS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
] as const;
