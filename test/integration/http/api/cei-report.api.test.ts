import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';

// GET /api/v1/reports/cei answers from the dashboard's pre-aggregate (`receivable_groups`) as of
// `computedAt`, under the dashboard's refresh policy (DASHBOARD_REFRESH_SECONDS, 300 here): first
// computed before answering, then read as stored, refreshed in the background once older than
// that, and waited for once older than a day. `fresh=true` computes it from the ledger now.
describe('the API’s CEI report from the pre-aggregate', () => {
  let t: TestHttpApp;
  let token: string;
  let now = DateTime.fromISO('2026-03-31T10:00:00Z', { zone: 'utc' });
  let ids: Map<string, string>;
  const URL = '/api/v1/reports/cei?as_of=2026-03-31&months=3';

  interface Answer {
    computedAt: string;
    source: string;
    currencies: unknown[];
  }
  const cei = async (url = URL): Promise<Answer> => {
    const response = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Answer>();
  };
  const live = () => cei(`${URL}&fresh=true`);
  let payments = 0;
  /** A payment received on `on`, allocated in full to invoice `number` of CEI-1. */
  const pay = async (number: string, amountMinor: number, on: string) => {
    payments += 1;
    const prisma = t.runtime.prisma;
    const customerId = ids.get('CEI-1')!;
    const [payment] = await prisma.$queryRaw<Array<{ id: string }>>`
      insert into payments (external_id, customer_id, amount_minor, currency, received_on, unapplied_minor)
      values (${`P-${payments}`}, ${customerId}::uuid, ${amountMinor}, 'RON', ${on}::date, 0) returning id::text`;
    await prisma.$executeRaw`
      insert into payment_allocations (payment_id, invoice_id, amount_minor)
      select ${payment!.id}::uuid, id, ${amountMinor} from invoices where number = ${number}`;
    await prisma.$executeRaw`
      update invoices set open_balance_minor = open_balance_minor - ${amountMinor},
             status = case when open_balance_minor = ${amountMinor} then 'paid'::invoice_status else status end
       where number = ${number}`;
  };

  beforeAll(async () => {
    t = await startTestHttpApp({ DASHBOARD_REFRESH_SECONDS: '300' }, { clock: { now: () => now } });
    token = await t.token('manager', 'reports:read');
    ids = await seedLedger(t.runtime.prisma, [
      {
        externalId: 'CEI-1',
        invoices: [
          { number: 'CEI-A', amountMinor: 1000_00, issuedOn: '2026-01-10', dueOn: '2026-02-09' },
          { number: 'CEI-B', amountMinor: 500_00, issuedOn: '2026-02-15', dueOn: '2026-03-17' },
          { number: 'CEI-C', amountMinor: 300_00, issuedOn: '2026-03-05', dueOn: '2026-04-04' },
        ],
      },
    ]);
  });
  afterAll(async () => t?.close());

  it('computes it first, then answers as stored until a refresh, which moves it', async () => {
    // Never computed: refreshed before answering, as of now.
    const first = await cei();
    expect(first).toMatchObject({ computedAt: '2026-03-31T10:00:00.000Z', source: 'preaggregate' });
    expect(first.currencies).toEqual((await live()).currencies);

    // A payment; a minute later the stored figures still hold (and say since when), the live ones moved.
    await pay('CEI-A', 1000_00, '2026-03-20');
    now = now.plus({ minutes: 1 });
    const stored = await cei();
    expect(stored).toEqual(first);
    const fresh = await live();
    expect(fresh).toMatchObject({ computedAt: '2026-03-31T10:01:00.000Z', source: 'live' });
    expect(fresh.currencies).not.toEqual(first.currencies);

    // Past DASHBOARD_REFRESH_SECONDS: refreshed in the background; the answers move once it is done,
    // and each one's figures are those of its computedAt.
    now = now.plus({ minutes: 5 });
    let moved: Answer | undefined;
    for (let attempt = 0; attempt < 200 && moved === undefined; attempt += 1) {
      const answer = await cei();
      if (answer.computedAt === first.computedAt) {
        expect(answer).toEqual(first);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } else {
        moved = answer;
      }
    }
    expect(moved).toMatchObject({ computedAt: '2026-03-31T10:06:00.000Z', source: 'preaggregate' });
    expect(moved!.currencies).toEqual(fresh.currencies);
  });

  it('waits for the refresh when the pre-aggregate is over a day old', async () => {
    await pay('CEI-B', 200_00, '2026-03-30');
    const before = await cei();
    now = now.plus({ days: 2 });
    const after = await cei();
    expect(after).toMatchObject({ computedAt: now.toUTC().toISO(), source: 'preaggregate' });
    expect(after.currencies).not.toEqual(before.currencies);
    expect(after.currencies).toEqual((await live()).currencies);
  });

  it('refuses a bad fresh value, naming it', async () => {
    const response = await t.app.inject({ method: 'GET', url: `${URL}&fresh=yes`, headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('fresh');
  });
});
