import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { ClusterNode, RedisTarget } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { run, stopChild } from './child-process.js';
import { findFreePort, findFreePortWithBus } from './free-port.js';
import { ensureBinary } from './system-binary.js';

/** A server the embedded stack started, and how to stop it. */
export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

/** Redis the embedded stack started (one server or a cluster), and how to stop it. */
export interface EmbeddedRedis {
  target: RedisTarget;
  stop(): Promise<void>;
}

const REDIS_ADVICE =
  'Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL / REDIS_CLUSTER_NODES.';

/**
 * Starts a private redis-server on a free loopback port. Nothing is persisted: Redis only holds
 * derived work, which the next tick rebuilds from Postgres. BullMQ requires `noeviction`.
 */
export async function startEmbeddedRedis(dir: string, logger: Logger): Promise<EmbeddedServer> {
  const binary = await ensureBinary('redis-server', 'redis-server', REDIS_ADVICE, logger);
  const port = await findFreePort();
  const password = randomBytes(18).toString('hex');
  const child = await startRedisServer(binary, dir, port, password, []);
  logger.info({ port }, 'embedded redis-server started');
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    stop: () => stopChild(child, 'SIGTERM', 5_000),
  };
}

/**
 * Starts a private Redis Cluster of `masters` redis-server processes (no replicas) on loopback,
 * joined with `redis-cli --cluster create`, and resolves once every node reports
 * `cluster_state:ok`. For tests and for trying a cluster deployment on one machine.
 */
export async function startEmbeddedRedisCluster(
  dir: string,
  logger: Logger,
  masters = 3,
): Promise<EmbeddedRedis & { target: { kind: 'cluster' } }> {
  const binary = await ensureBinary('redis-server', 'redis-server', REDIS_ADVICE, logger);
  // Debian's redis-server depends on redis-tools, which ships redis-cli.
  const cli = await ensureBinary('redis-cli', 'redis-tools', REDIS_ADVICE, logger);
  const password = randomBytes(18).toString('hex');
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child, 'SIGTERM', 5_000)));
  };
  try {
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < masters; i += 1) {
      // A cluster node also listens on port + 10000 (the cluster bus).
      const port = await findFreePortWithBus(10_000);
      const nodeDir = path.join(dir, `node-${i}`);
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', path.join(nodeDir, 'nodes.conf'), '--masterauth', password];
      children.push(await startRedisServer(binary, nodeDir, port, password, args));
      nodes.push({ host: '127.0.0.1', port });
    }
    await run(cli, ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      env: { ...process.env, REDISCLI_AUTH: password },
    });
    await Promise.all(nodes.map((node) => waitForClusterOk(node, password)));
    logger.info({ ports: nodes.map((n) => n.port) }, 'embedded redis cluster started');
    return { target: { kind: 'cluster', nodes, password, tls: false }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startRedisServer(binary: string, dir: string, port: number, password: string, extra: string[]): Promise<ChildProcess> {
  await mkdir(dir, { recursive: true });
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
      ...extra,
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
  return child;
}

async function waitForClusterOk(node: ClusterNode, password: string, timeoutMs = 15_000): Promise<void> {
  const client = new Redis({ ...node, password, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const deadline = Date.now() + timeoutMs;
    while (!String(await client.cluster('INFO')).includes('cluster_state:ok')) {
      if (Date.now() > deadline) throw new Error(`redis cluster node ${node.host}:${node.port} not ok after ${timeoutMs} ms`);
      await sleep(50);
    }
  } finally {
    client.disconnect();
  }
}
