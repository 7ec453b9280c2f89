import { ImapFlow } from 'imapflow';
import type { Logger } from '../logging/logger.js';

/** Where replies arrive: IMAP_URL, IMAP_USER, IMAP_PASSWORD, IMAP_MAILBOX, IMAP_PROCESSED_MAILBOX, IMAP_POLL_SECONDS. */
export interface MailboxSettings {
  /** `imap://host:port` (STARTTLS when offered) or `imaps://host:port` (implicit TLS). */
  url: string;
  user: string;
  password: string;
  /** The mailbox replies arrive in (INBOX). */
  mailbox: string;
  /** Where a message is moved once received; created when missing. */
  processedMailbox: string;
  /** How often the mailbox is checked without IDLE (with IDLE, a safety re-check as often). */
  pollSeconds: number;
}

/** One message handed to the reply path (`receiveEmail` bound to its dependencies). */
export interface MailboxMessage {
  raw: Buffer;
  source: 'imap';
  /** `<mailbox>:<UIDVALIDITY>:<UID>`: which message of which mailbox this was. */
  sourceRef: string;
}

export interface MailboxPollerDependencies {
  settings: MailboxSettings;
  /** Receives one message; idempotent (the same message twice is stored and acted on once). */
  receive: (message: MailboxMessage) => Promise<{ duplicate: boolean }>;
  logger: Logger;
}

export interface MailboxPoller {
  /** Resolves after the next complete pass over the mailbox (tests, the demo). */
  nextPass(): Promise<void>;
  /** Finishes the message in hand, logs out and stops reconnecting. */
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 60_000;
/** The keyword a poller sets on a message it is receiving (see `claim`). */
export const CLAIM_KEYWORD = '$ArrearsReceiving';
const CLAIM_STALE_MS = 10 * 60_000;

/**
 * Moves replies from an IMAP mailbox onto the reply path. Each message is fetched by UID, handed
 * to `receive`, and moved to the processed mailbox only after `receive` returned: a crash in
 * between leaves it in the mailbox, so it is received again on the next pass and recognised as a
 * duplicate, never lost. Several pollers may watch one mailbox: a poller claims a message before
 * receiving it, so each message is received by one of them (after a claim is taken over from a
 * poller that died, the reply path recognises the duplicate). Waits with
 * IDLE when the server offers it (woken by new mail), otherwise polls every `pollSeconds`; on a
 * lost connection it reconnects with exponential backoff.
 */
export function startMailboxPoller(deps: MailboxPollerDependencies): MailboxPoller {
  const { settings, logger } = deps;
  const target = new URL(settings.url);
  const secure = target.protocol === 'imaps:';
  const host = target.hostname;
  const port = Number(target.port) || (secure ? 993 : 143);
  const log = logger.child({ component: 'mailbox-poller', host, port, mailbox: settings.mailbox });

  let stopped = false;
  let wake: (() => void) | null = null;
  // New mail announced while a pass was running: the next wait returns at once.
  let woken = false;
  let passWaiters: Array<() => void> = [];

  const wakeUp = () => {
    const resume = wake;
    wake = null;
    if (resume) resume();
    else woken = true;
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopped) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(() => wakeUp(), ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  // UIDs this poller found claimed by another, and since when (a claim whose poller died is taken over).
  const claimsSeen = new Map<string, number>();

  /**
   * Claims a message for this poller: a keyword stored only if the message is unchanged since we
   * read it (CONDSTORE's UNCHANGEDSINCE), so of two pollers that read it at once one wins and the
   * other is told MODIFIED. Without the claim, two pollers move the same message and the server
   * copies it twice into the processed mailbox (Dovecot lets a session move a message another
   * session already expunged until it syncs). A claim older than CLAIM_STALE_MS (its poller died
   * between claim and move) is taken over.
   */
  const claim = async (connection: ImapFlow, uid: number, uidValidity: string): Promise<boolean> => {
    const key = `${uidValidity}:${uid}`;
    const state = await connection.fetchOne(String(uid), { uid: true, flags: true }, { uid: true });
    if (!state) return false;
    if (state.flags?.has(CLAIM_KEYWORD)) {
      const since = claimsSeen.get(key) ?? Date.now();
      claimsSeen.set(key, since);
      if (Date.now() - since < CLAIM_STALE_MS) return false;
      log.warn({ uid }, 'taking over a stale claim on a message');
    }
    if (state.modseq === undefined || !connection.enabled.has('CONDSTORE')) return true;
    let modified = false;
    const onResponse = (response: { code?: string }) => {
      if (response.code === 'MODIFIED') modified = true;
    };
    connection.on('response', onResponse);
    try {
      await connection.messageFlagsAdd(String(uid), [CLAIM_KEYWORD], { uid: true, unchangedSince: state.modseq });
    } finally {
      connection.off('response', onResponse);
    }
    if (!modified) claimsSeen.delete(key);
    return !modified;
  };

  const pass = async (connection: ImapFlow): Promise<void> => {
    const lock = await connection.getMailboxLock(settings.mailbox);
    try {
      const mailbox = connection.mailbox;
      const uidValidity = mailbox ? String(mailbox.uidValidity) : '0';
      const uids = (await connection.search({ all: true }, { uid: true })) || [];
      for (const uid of [...uids].sort((a, b) => a - b)) {
        if (stopped) break;
        if (!(await claim(connection, uid, uidValidity))) continue;
        const message = await connection.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
        // Another poller moved it after our claim was taken over.
        if (!message || !message.source) continue;
        const sourceRef = `${settings.mailbox}:${uidValidity}:${uid}`;
        let outcome: { duplicate: boolean };
        try {
          outcome = await deps.receive({ raw: message.source, source: 'imap', sourceRef });
        } catch (error) {
          // Left in the mailbox, unclaimed: the next pass (of any poller) tries it again.
          log.error({ err: error, uid }, 'could not receive a message; it stays in the mailbox for the next pass');
          await connection.messageFlagsRemove(String(uid), [CLAIM_KEYWORD], { uid: true });
          continue;
        }
        await connection.messageMove(String(uid), settings.processedMailbox, { uid: true });
        log.info({ uid, duplicate: outcome.duplicate }, 'message received and moved');
      }
    } finally {
      lock.release();
    }
    for (const resolve of passWaiters.splice(0)) resolve();
  };

  const session = async (): Promise<void> => {
    const connection = new ImapFlow({
      host,
      port,
      secure,
      auth: { user: settings.user, pass: settings.password },
      logger: false,
      // IDLE is started by the loop below, between passes only.
      disableAutoIdle: true,
      // Dovecot and others drop an IDLE after about 30 minutes; renew it well before.
      maxIdleTime: 5 * 60_000,
    });
    connection.on('error', (error: Error) => {
      log.warn({ err: error }, 'mailbox connection error');
      wakeUp();
    });
    connection.on('close', () => wakeUp());
    connection.on('exists', () => wakeUp());
    await connection.connect();
    try {
      const existing = await connection.list();
      if (!existing.some((entry) => entry.path === settings.processedMailbox)) {
        await connection.mailboxCreate(settings.processedMailbox).catch((error: unknown) => {
          // Another poller created it between our LIST and CREATE.
          log.debug({ err: error }, 'processed mailbox not created');
        });
      }
      await connection.mailboxOpen(settings.mailbox);
      const idle = connection.capabilities.has('IDLE');
      log.info({ idle, pollSeconds: settings.pollSeconds }, idle ? 'watching the mailbox with IDLE' : 'polling the mailbox');
      attempt = 0;
      while (!stopped) {
        woken = false;
        await pass(connection);
        if (stopped || !connection.usable) break;
        const waiting = sleep(settings.pollSeconds * 1_000);
        // The next command (the next pass) ends the IDLE.
        if (idle) connection.idle().catch((error: unknown) => log.debug({ err: error }, 'IDLE ended'));
        await waiting;
        if (!connection.usable && !stopped) throw new Error('the IMAP connection closed');
      }
    } finally {
      if (connection.usable) await connection.logout().catch(() => connection.close());
      else connection.close();
    }
  };

  let attempt = 0;
  const done = (async () => {
    while (!stopped) {
      try {
        await session();
      } catch (error) {
        if (stopped) break;
        const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** attempt) * (0.5 + Math.random() / 2);
        attempt += 1;
        log.warn({ err: error, attempt, retryInMs: Math.round(delay) }, 'mailbox unavailable; reconnecting');
        woken = false;
        await sleep(delay);
      }
    }
  })();

  return {
    nextPass: () => new Promise<void>((resolve) => passWaiters.push(resolve)),
    async stop() {
      stopped = true;
      wakeUp();
      await done;
      passWaiters = [];
      log.info('mailbox poller stopped');
    },
  };
}
