import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { createPrisma, type PrismaClient } from '../../src/db/client.js';
import { findUser, findUserById } from '../../src/db/users.repository.js';
import { addUser, authenticatePassword, createApiToken, disableUser, revokeApiToken } from '../../src/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

// One user lookup serves the case actions (actor by id or email), the console sign-in and the CLI:
// an email matches whatever its case, an id only as an id.
describe('looking a user up', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = createPrisma(database.url, { maxConnections: 2 });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('finds a user by email in any case, and by id', async () => {
    // Stored as typed by whoever created the row (a seed, an older version), not lower-cased.
    const stored = await prisma.user.create({ data: { email: 'Mara.Manager@Example.com', name: 'Mara', role: 'manager' } });
    for (const email of [
      'Mara.Manager@Example.com',
      'mara.manager@example.com',
      'MARA.MANAGER@EXAMPLE.COM',
      ' mara.manager@example.com ',
    ]) {
      expect((await findUser(prisma, email))?.id).toBe(stored.id);
    }
    expect((await findUser(prisma, stored.id))?.email).toBe('Mara.Manager@Example.com');
    expect(await findUser(prisma, 'nobody@example.com')).toBeNull();
    expect(await findUserById(prisma, 'mara.manager@example.com')).toBeNull();
  });

  it('updates the user of an email given in another case instead of adding a second one, and signs them in', async () => {
    const users = { prisma, clock: fixedClock(DateTime.now()) };
    const first = await addUser(users, { email: 'cora@example.com', name: 'Cora', role: 'collector', password: 'correct horse battery' });
    const again = await addUser(users, { email: 'CORA@Example.com', name: 'Cora C.', role: 'manager', password: null });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, user: { id: first.user.id, name: 'Cora C.', role: 'manager' } });
    expect((await authenticatePassword(prisma, 'Cora@Example.COM', 'correct horse battery'))?.id).toBe(first.user.id);
    expect(await prisma.auditEvent.count({ where: { entityId: first.user.id } })).toBe(2);
  });

  it("stamps the user services' audit rows with the process's clock, not the machine's", async () => {
    // A simulated clock (the demo's, a test's): every audit row and ended session carries its time.
    const at = DateTime.fromISO('2031-07-04T09:30:00Z');
    const users = { prisma, clock: fixedClock(at) };
    const { user } = await addUser(users, { email: 'tim@example.com', role: 'collector', password: 'correct horse battery' }, 'test');
    const { record } = await createApiToken(users, { userEmail: 'tim@example.com', name: 'erp', scopes: ['reports:read'] }, 'test');
    await addUser(users, { email: 'tim@example.com', role: 'collector', password: 'another correct horse' }, 'test');
    expect(await revokeApiToken(users, record.id, 'test')).toBe(1);
    expect(await disableUser(users, 'tim@example.com', 'test')).toBe(true);
    const audits = await prisma.auditEvent.findMany({ where: { entityId: { in: [user.id, record.id] } }, orderBy: { action: 'asc' } });
    expect(audits.map((a) => [a.action, a.at.toISOString()])).toEqual(
      ['token.created', 'token.revoked', 'user.created', 'user.disabled', 'user.updated'].map((action) => [
        action,
        at.toJSDate().toISOString(),
      ]),
    );
    const token = await prisma.apiToken.findUniqueOrThrow({ where: { id: record.id } });
    expect(token.revokedAt?.toISOString()).toBe(at.toJSDate().toISOString());
  });
});
