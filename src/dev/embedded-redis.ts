import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Logger } from '../logging/logger.js';
import { stopChild } from './child-process.js';
import { findFreePort } from './free-port.js';
import { ensureBinary } from './system-binary.js';

/** A server the embedded stack started, and how to stop it. */
export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

const REDIS_ADVICE = 'Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.';

/**
 * Starts a private redis-server on a free loopback port. Nothing is persisted: Redis only holds
 * derived work, which the next tick rebuilds from Postgres. BullMQ requires `noeviction`.
 */
export async function startEmbeddedRedis(dir: string, logger: Logger): Promise<EmbeddedServer> {
  const binary = await ensureBinary('redis-server', 'redis-server', REDIS_ADVICE, logger);
  await mkdir(dir, { recursive: true });
  const port = await findFreePort();
  const password = randomBytes(18).toString('hex');
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--requirepass',
      password,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  logger.info({ port }, 'embedded redis-server started');
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    stop: () => stopChild(child, 'SIGTERM', 5_000),
  };
}
