// Applies the committed migrations in prisma/migrations to a database.
//
// Why the Prisma CLI in a child process, with a preload:
// - `prisma migrate deploy` is the one implementation of Prisma's bookkeeping (the
//   `_prisma_migrations` table, checksums, advisory lock, failed-migration detection), so a
//   database migrated here can later be managed with stock `prisma migrate deploy/status`.
//   Re-implementing it in-process would be faster (~50 ms) but a second, subtly different
//   migrator.
// - Through prisma.config.ts (engine 'js' + @prisma/adapter-pg) it runs Prisma's WebAssembly
//   schema engine, so it works on a fresh machine without internet.
// - That engine leaves a 10 s `setTimeout` behind, so the CLI idles ~10 s after finishing. The
//   `--import` preload below unrefs long timers so the process exits when its work is done:
//   measured 1.8 s instead of 11.7 s for the initial migration on an empty database (2 cores).
//   Unref'd timers still fire if the process is alive for other reasons (open sockets,
//   queries), so no real work is cut short.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PRELOAD_SOURCE = `
const setTimeoutOriginal = globalThis.setTimeout;
globalThis.setTimeout = function setTimeoutUnrefLong(fn, ms, ...args) {
  const timer = setTimeoutOriginal.call(this, fn, ms, ...args);
  if (typeof ms === 'number' && ms >= 5000) timer?.unref?.();
  return timer;
};
`;
// A data: URL keeps the preload self-contained: nothing to ship or locate next to the build.
const PRELOAD = `data:text/javascript,${encodeURIComponent(PRELOAD_SOURCE)}`;

const DEFAULT_TIMEOUT_MS = 120_000;

export class MigrationError extends Error {
  /** Directory name of the migration that failed, when Prisma names one. */
  readonly migrationName: string | undefined;
  /** Prisma error code (e.g. P3018 failed migration, P3009 earlier failure, P1001 unreachable). */
  readonly prismaCode: string | undefined;
  /** Everything the CLI printed, for logs. */
  readonly output: string;

  constructor(message: string, details: { migrationName?: string; prismaCode?: string; output: string }) {
    super(message);
    this.name = 'MigrationError';
    this.migrationName = details.migrationName;
    this.prismaCode = details.prismaCode;
    this.output = details.output;
  }
}

export interface PrismaCliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface PrismaCliOptions {
  /** Becomes DATABASE_URL for the CLI (prisma.config.ts builds its adapter from it). */
  databaseUrl: string;
  /** Directory holding prisma.config.ts; found by walking up from this file by default. */
  projectRoot?: string;
  timeoutMs?: number;
}

/** The directory holding prisma.config.ts and prisma/ (works from src/ and from a build). */
export function findProjectRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'prisma.config.ts')) && existsSync(join(dir, 'prisma', 'schema.prisma'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`prisma.config.ts not found above ${start}`);
    dir = parent;
  }
}

/**
 * Runs the Prisma CLI (`node <prisma>/build/index.js ...args`) with the timer preload and
 * `DATABASE_URL` set. Resolves with the exit code and output; rejects only when the process
 * cannot be started or exceeds the timeout.
 */
export async function runPrismaCli(args: readonly string[], options: PrismaCliOptions): Promise<PrismaCliResult> {
  const projectRoot = options.projectRoot ?? findProjectRoot();
  const cli = createRequire(join(projectRoot, 'package.json')).resolve('prisma/build/index.js');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return await new Promise<PrismaCliResult>((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, cli, ...args], {
      cwd: projectRoot,
      env: {
        ...process.env,
        DATABASE_URL: options.databaseUrl,
        // No update check / telemetry round trip: offline it can only cost time.
        CHECKPOINT_DISABLE: '1',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`prisma ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/**
 * Applies every committed migration not yet applied (`prisma migrate deploy`). Safe to call at
 * each start: already-applied migrations are skipped, and concurrent callers serialise on
 * Prisma's advisory lock. Throws a `MigrationError` naming the failing migration and carrying
 * Postgres' message.
 */
export async function applyMigrations(databaseUrl: string, options: Omit<PrismaCliOptions, 'databaseUrl'> = {}): Promise<void> {
  const result = await runPrismaCli(['migrate', 'deploy'], { ...options, databaseUrl });
  if (result.exitCode === 0) return;
  throw migrationError(result, databaseUrl);
}

function migrationError(result: PrismaCliResult, databaseUrl: string): MigrationError {
  const output = `${result.stdout}\n${result.stderr}`;
  const migrationName =
    /migration_name="([^"]+)"/.exec(output)?.[1] ?? // wasm engine backtrace: the one being applied
    /Migration name:\s*(\S+)/.exec(output)?.[1] ?? // P3018 (native engine)
    /The `([^`]+)` migration started at .* failed/.exec(output)?.[1]; // P3009: failed earlier
  const prismaCode = /\b(P\d{4})\b/.exec(output)?.[1];
  // Prisma prints its diagnosis (with Postgres' message, e.g. `ERROR: syntax error at or near
  // "SELEC"`) after "Error:"; keep it, minus the engine's Rust backtrace and blank lines.
  const errorStart = output.search(/^Error:/m);
  const diagnosis = (errorStart >= 0 ? output.slice(errorStart) : output)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !/^\s+(\d+: |with |at )/.test(line))
    .filter((line) => !/^Error: external connector error$/.test(line))
    .join('\n');
  const what = migrationName ? `migration ${migrationName} failed` : 'migrate deploy failed';
  return new MigrationError(`Applying migrations to ${redactUrl(databaseUrl)}: ${what} (exit ${result.exitCode}).\n${diagnosis}`, {
    migrationName,
    prismaCode,
    output,
  });
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}
