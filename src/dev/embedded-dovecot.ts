import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging/logger.js';
import { exited, run, stopChild } from './child-process.js';
import { findFreePort } from './free-port.js';
import { which } from './system-binary.js';

/** An IMAP mailbox served by a private Dovecot, and how to stop it. */
export interface EmbeddedMailbox {
  /** `imap://127.0.0.1:<port>` (plain IMAP on loopback). */
  url: string;
  user: string;
  password: string;
  stop(): Promise<void>;
}

export interface EmbeddedDovecotOptions {
  /** Offer IDLE (Dovecot's default). `false` leaves it out of the capabilities, so clients poll. */
  idle?: boolean;
}

export const DOVECOT_ADVICE = 'Install it (Debian/Ubuntu: apt-get install dovecot-imapd) or set IMAP_URL to a mailbox of your own.';

/** Dovecot's master binary, where Debian's dovecot-core puts it, or on PATH. */
export function findDovecot(): Promise<string | undefined> {
  return which('dovecot', ['/usr/sbin', '/usr/local/sbin', '/opt/homebrew/sbin']);
}

// Capabilities Dovecot 2.3 announces after login, less IDLE (imap_capability replaces the list).
const CAPABILITIES_WITHOUT_IDLE =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT ' +
  'MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ' +
  'ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE LITERAL+';

/**
 * Starts Dovecot (`dovecot -F`) with a throwaway configuration under `dir`: one user with a plain
 * password in a passwd-file, maildir under `dir/mail`, plain IMAP on a free loopback port, no SSL,
 * logging to stderr. Run as an ordinary user it runs entirely as that user. Dovecot refuses to
 * run its login and mail processes as root, so under root it uses the `dovenull` and `dovecot`
 * users Debian's package creates. Resolves once the server sends its IMAP greeting.
 */
export async function startEmbeddedDovecot(
  binary: string,
  dir: string,
  logger: Logger,
  options: EmbeddedDovecotOptions = {},
): Promise<EmbeddedMailbox> {
  const port = await findFreePort();
  const user = 'arrears';
  const password = randomBytes(18).toString('hex');
  const asRoot = process.getuid?.() === 0;
  const self = os.userInfo().username;
  const group = asRoot ? 'dovecot' : await primaryGroup();
  const mailUser = asRoot ? 'dovecot' : self;
  const loginUser = asRoot ? 'dovenull' : self;

  const mailDir = path.join(dir, 'mail');
  await mkdir(mailDir, { recursive: true });
  await mkdir(path.join(dir, 'state'), { recursive: true });
  if (asRoot) {
    // The mail and login processes run as other users: they must reach the directory.
    await chmod(dir, 0o755);
    const { uid, gid } = await userIds(mailUser);
    await chown(mailDir, uid, gid);
  }
  const passwdFile = path.join(dir, 'passwd');
  await writeFile(passwdFile, `${user}:{PLAIN}${password}\n`, { mode: 0o644 });

  const config = [
    `base_dir = ${path.join(dir, 'run')}`,
    `state_dir = ${path.join(dir, 'state')}`,
    'instance_name = arrears-embedded',
    'log_path = /dev/stderr',
    'info_log_path = /dev/stderr',
    'protocols = imap',
    'listen = 127.0.0.1',
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    `default_internal_user = ${mailUser}`,
    `default_internal_group = ${group}`,
    `default_login_user = ${loginUser}`,
    `mail_uid = ${mailUser}`,
    `mail_gid = ${group}`,
    'first_valid_uid = 1',
    `mail_location = maildir:${mailDir}/%u`,
    ...(options.idle === false ? [`imap_capability = ${CAPABILITIES_WITHOUT_IDLE}`] : []),
    'service imap-login {',
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    `    port = ${port}`,
    '  }',
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    '  chroot =',
    '}',
    'service anvil {',
    '  chroot =',
    '}',
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${passwdFile}`,
    '}',
    'userdb {',
    '  driver = static',
    `  args = uid=${mailUser} gid=${group} home=${mailDir}/%u`,
    '}',
    '',
  ].join('\n');
  const configFile = path.join(dir, 'dovecot.conf');
  await writeFile(configFile, config, { mode: 0o644 });

  const child = spawn(binary, ['-F', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    // Keep only the tail: a long test run must not grow this without bound.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const stop = () => stopChild(child, 'SIGTERM', 5_000);
  try {
    await waitForGreeting(child, port, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info({ port }, 'embedded dovecot started');
  return { url: `imap://127.0.0.1:${port}`, user, password, stop };
}

async function waitForGreeting(child: ChildProcess, port: number, output: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dovecot exited before its greeting:\n${output()}`);
    if (await greets(port)) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not greet on port ${port} within ${timeoutMs} ms:\n${output()}`);
    await Promise.race([sleep(50), exited(child)]);
  }
}

/** Whether an IMAP server on the port answers with an untagged OK greeting. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.includes('\r\n')) finish(received.startsWith('* OK'));
    });
  });
}

async function primaryGroup(): Promise<string> {
  return (await run('id', ['-gn'])).trim();
}

async function userIds(name: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
