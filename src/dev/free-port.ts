import net from 'node:net';

/** Asks the kernel for a free loopback TCP port. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/**
 * A free loopback port whose port + `offset` is free too (a Redis Cluster node's bus listens
 * there), at most 65535 - `offset`; ports are drawn at random below that bound.
 */
export async function findFreePortWithBus(offset: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = 10_000 + Math.floor(Math.random() * (65_535 - offset - 10_000));
    if ((await isFree(port)) && (await isFree(port + offset))) return port;
  }
  throw new Error('could not find a free port pair for a redis cluster node');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
