import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, UserInputError } from '../../../../src/users/user.service.js';
import { consoleSession } from '../../../support/console-session.js';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';

// Each user reads the console in their own zone (users.time_zone), the others in TICK_TZ
// (Europe/Bucharest in the test app): the same contact, 22:30 UTC on 10 March, is on the 11th at
// 00:30 in Bucharest and still the 10th at 15:30 in Los Angeles.

describe("the console in the reader's own time zone", () => {
  let t: TestHttpApp;

  beforeAll(async () => {
    t = await startTestHttpApp();
    await addUser(t.runtime, {
      email: 'west@example.com',
      name: 'Wes West',
      role: 'collector',
      password: PASSWORD,
      timeZone: 'America/Los_Angeles',
    });
    const ids = await seedLedger(t.runtime.prisma, [
      {
        externalId: 'Z-1',
        name: 'Zone Test SRL',
        currency: 'RON',
        invoices: [{ number: 'Z-INV-1', amountMinor: 100_00, issuedOn: '2026-02-01', dueOn: '2026-03-01' }],
      },
    ]);
    await t.runtime.prisma.contact.create({
      data: {
        customerId: ids.get('Z-1')!,
        channel: 'note',
        status: 'logged',
        idempotencyKey: 'zone-note',
        actor: t.users.collector.id,
        notes: 'Called, no answer',
        createdAt: new Date('2026-03-10T22:30:00Z'),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows the contact log in the reader’s zone, and TICK_TZ for a user without one', async () => {
    const west = await consoleSession(t.app, 'west@example.com');
    const own = await west.get('/console/contact-log?customer=Z-1');
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('2026-03-10 15:30 America/Los_Angeles');

    const ana = await consoleSession(t.app, 'collector@example.com');
    const deployment = await ana.get('/console/contact-log?customer=Z-1');
    expect(deployment.body).toContain('2026-03-11 00:30 Europe/Bucharest');
  });

  it('shows "your time" on the customer page in the reader’s zone beside the customer’s', async () => {
    const west = await consoleSession(t.app, 'west@example.com');
    const page = await west.get('/console/customers/Z-1');
    expect(page.statusCode).toBe(200);
    // The note in the timeline: the customer's (Bucharest) time, then the reader's.
    expect(page.body).toMatch(/2026-03-11 00:30<\/time> customer's time · 2026-03-10 15:30 yours/);
    const ana = await consoleSession(t.app, 'collector@example.com');
    const same = await ana.get('/console/customers/Z-1');
    expect(same.body).toContain("2026-03-11 00:30</time> customer's time");
    expect(same.body).not.toContain('2026-03-10 15:30 yours');
  });

  it('refuses a zone that is not an IANA zone, naming it', async () => {
    await expect(
      addUser(t.runtime, { email: 'nowhere@example.com', role: 'collector', password: null, timeZone: 'Mars/Olympus' }),
    ).rejects.toThrow(new UserInputError('time zone: "Mars/Olympus" is not an IANA time zone (e.g. Europe/Bucharest)'));
  });
});
