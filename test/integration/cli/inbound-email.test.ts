import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { seedLedger } from '../../support/ledger.js';
import { startCli } from '../../support/processes.js';
import { replyEml } from '../replies/reply-mail.js';

let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'arrears-inbound-'));
  const prisma = createPrisma(database.url);
  try {
    await seedLedger(prisma, [
      {
        externalId: 'CLI-1',
        email: 'plata@client.example.ro',
        invoices: [{ number: 'F-9', amountMinor: 90000, issuedOn: '2026-02-01', dueOn: '2026-03-01' }],
      },
    ]);
  } finally {
    await prisma.$disconnect();
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await database?.drop();
});

describe('arrears inbound email <file>', () => {
  it('receives the message and prints one JSON object: customer, contact, classification, promisedOn, actions', async () => {
    const file = path.join(dir, 'promise.eml');
    await writeFile(
      file,
      replyEml({ from: 'plata@client.example.ro', text: 'Vom plăti pe 20 martie.', date: 'Mon, 09 Mar 2026 10:15:00 +0200' }),
    );
    // No Redis: receiving a reply needs Postgres only, and an unreachable address proves it.
    const cli = startCli(['inbound', 'email', file], { DATABASE_URL: database.url, REDIS_URL: 'redis://127.0.0.1:9', LOG_LEVEL: 'warn' });
    const { code } = await cli.exit;
    expect(code, cli.output()).toBe(0);
    const line = cli
      .output()
      .split('\n')
      .find((l) => l.startsWith('{"customer"'));
    expect(JSON.parse(line ?? 'null')).toEqual({
      customer: 'CLI-1',
      contact: null,
      classification: 'promise',
      promisedOn: '2026-03-20',
      actions: ['reply_pause', 'suggestion.promise'],
    });
  });
});
