import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/logging/logger.js';
import { startMailboxPoller, type MailboxMessage, type MailboxPoller, type MailboxSettings } from '../../../src/replies/mailbox-poller.js';
import { startDovecot, type TestDovecot } from '../../support/dovecot.js';

// The poller's own contract against a real Dovecot: what it hands to the reply path and when it
// moves a message. `receive` here stands in for receiveEmail's idempotency (one store per
// Message-ID); the reply path itself is tested with the poller in imap-replies.test.ts.

function message(id: string, subject = `Re: reminder ${id}`): string {
  return [
    'From: Customer <customer@example.com>',
    'To: ar@example.com',
    `Subject: ${subject}`,
    `Message-ID: <${id}@customer.example.com>`,
    'Date: Sun, 06 Dec 2026 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'We will pay on Friday.',
    '',
  ].join('\r\n');
}

/** Stores each Message-ID once, as receiveEmail does, and records every call. */
class ReplyStore {
  readonly calls: MailboxMessage[] = [];
  readonly stored = new Map<string, MailboxMessage>();
  failNext = 0;

  readonly receive = (email: MailboxMessage): Promise<{ duplicate: boolean }> => {
    this.calls.push(email);
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('database unavailable'));
    }
    const id = /^Message-ID: (.+)$/im.exec(email.raw.toString())?.[1]?.trim() ?? email.raw.toString();
    const duplicate = this.stored.has(id);
    if (!duplicate) this.stored.set(id, email);
    return Promise.resolve({ duplicate });
  };
}

function captureLogs() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  return { logger: createLogger({ level: 'debug', format: 'json', production: true }, stream), text: () => lines.join('') };
}

const settingsFor = (dovecot: TestDovecot, overrides: Partial<MailboxSettings> = {}): MailboxSettings => ({
  url: dovecot.url,
  user: dovecot.user,
  password: dovecot.password,
  mailbox: 'INBOX',
  processedMailbox: 'Processed',
  pollSeconds: 60,
  ...overrides,
});

describe('the mailbox poller on a Dovecot that offers IDLE', () => {
  let dovecot: TestDovecot;
  const pollers: MailboxPoller[] = [];
  beforeAll(async () => {
    dovecot = await startDovecot();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
    await dovecot?.stop();
  });

  it('receives appended messages by UID and moves them to the processed mailbox only after receiving them', async () => {
    const store = new ReplyStore();
    const logs = captureLogs();
    // Sixty seconds between polls: only IDLE can bring these in within the wait below.
    const poller = startMailboxPoller({ settings: settingsFor(dovecot), receive: store.receive, logger: logs.logger });
    pollers.push(poller);
    await poller.nextPass();
    await dovecot.append(message('idle-1'));
    await dovecot.append(message('idle-2'));
    await vi.waitFor(() => expect(store.stored.size).toBe(2), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect(await dovecot.count('Processed')).toBe(2), { timeout: 20_000, interval: 200 });
    expect(await dovecot.count('INBOX')).toBe(0);
    expect(store.calls.map((call) => call.source)).toEqual(['imap', 'imap']);
    expect(store.calls.map((call) => call.sourceRef)).toEqual([
      expect.stringMatching(/^INBOX:\d+:1$/),
      expect.stringMatching(/^INBOX:\d+:2$/),
    ]);
    expect(store.calls[0]!.raw.toString()).toContain('We will pay on Friday.');
    expect(logs.text()).toContain('watching the mailbox with IDLE');
    expect(logs.text()).not.toContain(dovecot.password);
    await poller.stop();
  });

  it('leaves a message it could not receive in the mailbox and receives it again on the next pass', async () => {
    const store = new ReplyStore();
    store.failNext = 1;
    const poller = startMailboxPoller({ settings: settingsFor(dovecot), receive: store.receive, logger: captureLogs().logger });
    pollers.push(poller);
    await poller.nextPass();
    await dovecot.append(message('crash-1'));
    await vi.waitFor(() => expect(store.calls.length).toBe(1), { timeout: 20_000, interval: 100 });
    expect(await dovecot.count('INBOX')).toBe(1);
    expect(store.stored.size).toBe(0);
    // New mail wakes the poller: the failed message is tried again with it.
    await dovecot.append(message('crash-2'));
    await vi.waitFor(() => expect(store.stored.size).toBe(2), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect(await dovecot.count('INBOX')).toBe(0), { timeout: 20_000, interval: 200 });
    expect(store.calls.map((call) => call.sourceRef)).toEqual([
      expect.stringMatching(/:3$/),
      expect.stringMatching(/:3$/),
      expect.stringMatching(/:4$/),
    ]);
    await poller.stop();
  });

  it('stores a message delivered twice once, and two pollers on one mailbox store each message once and move all', async () => {
    const store = new ReplyStore();
    const settings = settingsFor(dovecot, { processedMailbox: 'Handled' });
    const first = startMailboxPoller({ settings, receive: store.receive, logger: captureLogs().logger });
    const second = startMailboxPoller({ settings, receive: store.receive, logger: captureLogs().logger });
    pollers.push(first, second);
    await Promise.all([first.nextPass(), second.nextPass()]);
    const ids = Array.from({ length: 12 }, (_, i) => `pair-${i}`);
    for (const id of ids) await dovecot.append(message(id));
    // The same message again (a resend, or a copy left by a crash before the move).
    await dovecot.append(message('pair-0'));
    await vi.waitFor(async () => expect(await dovecot.count('Handled')).toBe(ids.length + 1), { timeout: 30_000, interval: 200 });
    expect(await dovecot.count('INBOX')).toBe(0);
    expect([...store.stored.keys()].sort()).toEqual(ids.map((id) => `<${id}@customer.example.com>`).sort());
    // Each message was claimed by one poller: received once (the resend as a duplicate).
    expect(store.calls.map((call) => call.sourceRef).sort()).toEqual([...new Set(store.calls.map((call) => call.sourceRef))].sort());
    expect(store.calls).toHaveLength(ids.length + 1);
    await Promise.all([first.stop(), second.stop()]);
  });

  it('keeps retrying with a wrong password and never logs it', async () => {
    const store = new ReplyStore();
    const logs = captureLogs();
    const wrong = 'not-the-password-3f9c1a';
    const poller = startMailboxPoller({ settings: settingsFor(dovecot, { password: wrong }), receive: store.receive, logger: logs.logger });
    pollers.push(poller);
    await vi.waitFor(() => expect(logs.text().match(/mailbox unavailable; reconnecting/g)?.length ?? 0).toBeGreaterThanOrEqual(2), {
      timeout: 20_000,
      interval: 100,
    });
    await poller.stop();
    expect(logs.text()).not.toContain(wrong);
    expect(logs.text()).not.toContain(dovecot.password);
    expect(store.calls).toEqual([]);
  });
});

describe('the mailbox poller on a server without IDLE', () => {
  let dovecot: TestDovecot;
  beforeAll(async () => {
    dovecot = await startDovecot({ idle: false });
  }, 60_000);
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('polls every IMAP_POLL_SECONDS and moves what it received', async () => {
    const store = new ReplyStore();
    const logs = captureLogs();
    const poller = startMailboxPoller({ settings: settingsFor(dovecot, { pollSeconds: 1 }), receive: store.receive, logger: logs.logger });
    try {
      await poller.nextPass();
      await dovecot.append(message('poll-1'));
      await poller.nextPass();
      await poller.nextPass();
      expect([...store.stored.keys()]).toEqual(['<poll-1@customer.example.com>']);
      expect(await dovecot.count('INBOX')).toBe(0);
      expect(await dovecot.count('Processed')).toBe(1);
      expect(logs.text()).toContain('polling the mailbox');
    } finally {
      await poller.stop();
    }
  });
});
