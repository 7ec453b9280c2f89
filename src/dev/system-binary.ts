import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logging/logger.js';
import { run } from './child-process.js';

/** Raised when the embedded stack needs a program this machine lacks and cannot install. */
export class MissingBinaryError extends Error {
  constructor(binary: string, advice: string) {
    super(`${binary} is not installed. ${advice}`);
    this.name = 'MissingBinaryError';
  }
}

/** Whether `file` exists and may be run by this process. */
export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds `name` on PATH or in the given extra directories. */
export async function which(name: string, extraDirs: string[] = []): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (dir && (await isExecutable(path.join(dir, name)))) return path.join(dir, name);
  }
  return undefined;
}

/**
 * Finds a program, installing its Debian package first when this is a Debian machine and we are
 * root (the situation on a fresh CI or server box). Anywhere else it stops with what to install.
 */
export async function ensureBinary(name: string, debianPackage: string, advice: string, logger: Logger): Promise<string> {
  const found = await which(name, ['/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin']);
  if (found) return found;
  const canApt = process.getuid?.() === 0 && (await which('apt-get')) !== undefined;
  if (!canApt) throw new MissingBinaryError(name, advice);
  logger.info({ package: debianPackage }, `${name} not found; installing it with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', debianPackage], { env });
  const installed = await which(name, ['/usr/sbin', '/usr/bin']);
  if (!installed) throw new MissingBinaryError(name, advice);
  return installed;
}
