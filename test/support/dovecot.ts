import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { DOVECOT_ADVICE, startEmbeddedDovecot, type EmbeddedDovecotOptions, type EmbeddedMailbox } from '../../src/dev/embedded-dovecot.js';
import { ensureBinary } from '../../src/dev/system-binary.js';
import { createLogger } from '../../src/logging/logger.js';

/** A real Dovecot for one test file, with a client to deliver and inspect mail. */
export interface TestDovecot extends EmbeddedMailbox {
  /** IMAP_* settings that point a poller at this server's INBOX. */
  env: { IMAP_URL: string; IMAP_USER: string; IMAP_PASSWORD: string };
  /** Delivers a raw message by IMAP APPEND (into INBOX unless told). */
  append(raw: Buffer | string, mailbox?: string): Promise<void>;
  /** How many messages a mailbox holds (0 when it does not exist). */
  count(mailbox: string): Promise<number>;
}

/**
 * Starts Debian's Dovecot (installing dovecot-imapd with apt when missing and we are root, as
 * redis-server is) on a free port with a throwaway passwd-file and maildir under a temp dir.
 */
export async function startDovecot(options: EmbeddedDovecotOptions = {}): Promise<TestDovecot> {
  const logger = createLogger({ level: 'warn', format: 'json', production: true });
  const binary = await ensureBinary('dovecot', 'dovecot-imapd', DOVECOT_ADVICE, logger);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-dovecot-'));
  let server: EmbeddedMailbox;
  try {
    server = await startEmbeddedDovecot(binary, dir, logger, options);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const withClient = async <T>(work: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: Number(new URL(server.url).port),
      secure: false,
      auth: { user: server.user, pass: server.password },
      logger: false,
    });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout();
    }
  };
  return {
    ...server,
    env: { IMAP_URL: server.url, IMAP_USER: server.user, IMAP_PASSWORD: server.password },
    append: (raw, mailbox = 'INBOX') =>
      withClient(async (client) => {
        await client.append(mailbox, raw);
      }),
    count: (mailbox) =>
      withClient(async (client) => {
        const list = await client.list();
        if (!list.some((entry) => entry.path === mailbox)) return 0;
        const status = await client.status(mailbox, { messages: true });
        return status ? (status.messages ?? 0) : 0;
      }),
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
