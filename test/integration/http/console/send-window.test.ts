import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../../src/core/clock.js';
import { consoleSession, csrfIn, type ConsoleSession } from '../../../support/console-session.js';
import { startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';

// "Send a message now" keeps the customer's send window (default Mon–Fri 08:00–20:00, their
// zone): outside it a business customer's message goes only when the collector confirms it, a
// consumer's not at all. The console runs on a clock set to Sunday 22:00 in Berlin, then Monday.
const SUNDAY_NIGHT = DateTime.fromISO('2026-03-08T22:00:00', { zone: 'Europe/Berlin' });
const MONDAY_MORNING = DateTime.fromISO('2026-03-09T10:00:00', { zone: 'Europe/Berlin' });
const TEMPLATE = 'email|default/overdue-14';

describe('send a message now, and the send window', () => {
  let t: TestHttpApp;
  let ids: Map<string, string>;
  const clock: Clock & { at: DateTime } = {
    at: SUNDAY_NIGHT,
    now() {
      return this.at;
    },
  };
  const contacts = (externalId: string) => t.runtime.prisma.contact.count({ where: { customerId: ids.get(externalId) } });

  /** The preview page of the template for `externalId`, and the form fields its send button posts. */
  async function preview(session: ConsoleSession, externalId: string) {
    const page = await session.get(`/console/customers/${externalId}`);
    const requestId = /name="requestId" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const response = await session.get(
      `/console/customers/${externalId}/message?${new URLSearchParams({ template: TEMPLATE, requestId })}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    return { body: response.body, form: { _csrf: csrfIn(response.body) || session.csrf, template: TEMPLATE, requestId } };
  }

  beforeAll(async () => {
    t = await startTestHttpApp({}, { clock });
    const invoices = [{ number: 'W-1', amountMinor: 700_00, issuedOn: '2026-01-05', dueOn: '2026-02-04' }];
    ids = await seedLedger(t.runtime.prisma, [
      { externalId: 'WIN-B', locale: 'en', timeZone: 'Europe/Berlin', invoices },
      { externalId: 'WIN-C', locale: 'en', timeZone: 'Europe/Berlin', invoices },
    ]);
    await t.runtime.prisma.customer.update({ where: { id: ids.get('WIN-C') }, data: { profile: 'consumer' } });
  });

  afterAll(() => t?.close());

  it("outside a business customer's window: the preview says when it opens, and only a confirmed send goes", async () => {
    const session = await consoleSession(t.app, 'collector@example.com');
    const { body, form } = await preview(session, 'WIN-B');
    expect(body).toContain("Outside the customer's send window.");
    expect(body).toContain(
      'It is Sun 8 Mar 22:00 for this customer (Europe/Berlin), outside their send window (08:00–20:00); it opens Mon 9 Mar 08:00 their time.',
    );
    expect(body).toMatch(/<input type='checkbox' name='outsideWindow' value='yes' required \/>/);

    const unconfirmed = await session.post('/console/customers/WIN-B/actions/message', form);
    expect(unconfirmed.statusCode).toBe(303);
    expect(session.jar.flash()).toMatchObject({ error: true, message: expect.stringContaining('Nothing was sent') });
    expect(await contacts('WIN-B')).toBe(0);

    const confirmed = await session.post('/console/customers/WIN-B/actions/message', { ...form, outsideWindow: 'yes' });
    expect(confirmed.statusCode).toBe(303);
    expect(await contacts('WIN-B')).toBe(1);
    const audit = await t.runtime.prisma.auditEvent.findFirstOrThrow({ where: { action: 'message.sent_outside_window' } });
    expect(audit.entityId).toBe(ids.get('WIN-B'));
    expect(audit.reason).toContain('opens Mon 9 Mar 08:00');
  });

  it("outside a consumer's hours nothing goes, confirmed or not", async () => {
    const session = await consoleSession(t.app, 'collector@example.com');
    const { body, form } = await preview(session, 'WIN-C');
    expect(body).toContain('This message cannot be sent.</strong> It is Sun 8 Mar 22:00 for this customer (Europe/Berlin)');
    expect(body).toContain('Consumers are contacted only inside their hours: send it then.');
    expect(body).not.toContain('Send now</button>');
    const posted = await session.post('/console/customers/WIN-C/actions/message', { ...form, outsideWindow: 'yes' });
    expect(posted.statusCode).toBe(303);
    expect(session.jar.flash()).toMatchObject({ error: true, message: expect.stringContaining('Consumers are contacted only inside') });
    expect(await contacts('WIN-C')).toBe(0);
  });

  it('inside the window it is sent without asking', async () => {
    clock.at = MONDAY_MORNING;
    const session = await consoleSession(t.app, 'collector@example.com');
    const { body, form } = await preview(session, 'WIN-C');
    expect(body).not.toContain('send window');
    expect(body).toContain('Send now</button>');
    expect((await session.post('/console/customers/WIN-C/actions/message', form)).statusCode).toBe(303);
    expect(await contacts('WIN-C')).toBe(1);
  });
});
