import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertExchangeRates } from '../../../../src/db/exchange-rates.repository.js';
import { autoCommit } from '../../../../src/db/transaction.js';
import { addUser } from '../../../../src/users/user.service.js';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger, type CustomerSeed } from '../../../support/ledger.js';
import type { Jar } from '../../../support/console-session.js';
import { browse as consoleBrowse, consoleSession, csrfIn } from '../../../support/console-session.js';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** External ids of the rows, in page order. */
const idsIn = (html: string) => [...html.matchAll(/<span class="meta">([A-Z]+-[0-9]+)<\/span>/g)].map((m) => m[1]);

// One overdue invoice each (20 days past due), in the customer's currency.
const account = (
  externalId: string,
  name: string,
  currency: string,
  amountMinor: number,
  extra: Partial<CustomerSeed> = {},
): CustomerSeed => ({
  externalId,
  name,
  currency,
  invoices: [{ number: `INV-${externalId}`, amountMinor, issuedOn: day(-50), dueOn: day(-20) }],
  ...extra,
});

const BLOCKED = ['HOLD-1', 'BANK-1', 'WO-1'];

describe('the worklist (/console/worklist)', () => {
  let t: TestHttpApp;
  let ids: Map<string, string>;
  let bobId: string;
  const jars: Record<string, Jar> = {};

  const browse = (jar: Jar, method: 'GET' | 'POST', url: string, form?: Record<string, string>) =>
    consoleBrowse(t.app, jar, method, url, form);
  /** A page, with Handlebars' `&#x3D;` in links read back as `=`. */
  const get = async (role: 'collector' | 'manager', url: string) => {
    const response = await browse(jars[role]!, 'GET', url);
    return { statusCode: response.statusCode, body: response.body.replaceAll('&#x3D;', '=') };
  };

  beforeAll(async () => {
    t = await startTestHttpApp();
    const prisma = t.runtime.prisma;
    bobId = (await addUser(t.runtime, { email: 'bob@example.com', name: 'Bob Collector', role: 'collector', password: PASSWORD }, 'test'))
      .user.id;
    ids = await seedLedger(prisma, [
      account('USD-1', 'Hudson Supply', 'USD', 14_412_00, { email: 'ap@hudson.example', mobile: '+14155550123' }),
      account('TRY-1', 'Anadolu Tekstil', 'TRY', 30_625_00),
      account('EUR-1', 'Berlin Bau', 'EUR', 500_00),
      account('GBP-1', 'Thames Traders', 'GBP', 1_000_00),
      account('HOLD-1', 'Held Holdings', 'EUR', 90_000_00),
      account('BANK-1', 'Broke Brothers', 'EUR', 80_000_00),
      account('WO-1', 'Gone Goods', 'EUR', 70_000_00),
      account('PROM-1', 'Promise Partners', 'EUR', 200_00),
      account('DISP-1', 'Dispute Designs', 'EUR', 300_00),
    ]);
    const id = (externalId: string) => ids.get(externalId)!;
    for (const externalId of ids.keys()) {
      await prisma.customer.update({
        where: { id: id(externalId) },
        data: { assignedCollectorId: externalId === 'GBP-1' ? bobId : t.users.collector.id },
      });
    }
    await prisma.legalHold.create({ data: { customerId: id('HOLD-1'), reason: 'with the agency', placedBy: t.users.manager.id } });
    await prisma.collectionCase.update({ where: { customerId: id('HOLD-1') }, data: { state: 'legal_hold' } });
    await prisma.bankruptcyFiling.create({
      data: { customerId: id('BANK-1'), filedOn: new Date(day(-5)), chapter: '7', recordedBy: t.users.manager.id },
    });
    await prisma.invoice.updateMany({
      where: { customerId: id('WO-1') },
      data: { status: 'written_off', openBalanceMinor: 0n, writtenOffMinor: 70_000_00n, writtenOffAt: new Date(), writtenOffBy: 'test' },
    });
    await prisma.promiseToPay.create({
      data: {
        customerId: id('PROM-1'),
        amountMinor: 200_00n,
        currency: 'EUR',
        promisedOn: new Date(day(-3)),
        status: 'broken',
        createdBy: 'test',
      },
    });
    const disputed = await prisma.invoice.findFirstOrThrow({ where: { customerId: id('DISP-1') } });
    await prisma.dispute.create({ data: { invoiceId: disputed.id, customerId: id('DISP-1'), reasonCode: 'pricing', openedBy: 'test' } });
    for (const externalId of ['EUR-1', 'GBP-1', 'HOLD-1', 'BANK-1', 'WO-1']) {
      await prisma.callTask.create({ data: { customerId: id(externalId), dueAt: new Date(Date.now() - 3_600_000) } });
    }
    await upsertExchangeRates(
      autoCommit(prisma),
      'EUR',
      [
        { currency: 'USD', rateDate: day(-1), rate: '1.0842', source: 'test' },
        { currency: 'TRY', rateDate: day(-2), rate: '37.5', source: 'test' },
      ],
      new Date(),
    );
    for (const role of ['collector', 'manager'] as const) {
      jars[role] = (await consoleSession(t.app, `${role}@example.com`)).jar;
    }
  });
  afterAll(async () => t?.close());

  it("opens on the collector's day: their own accounts with something due today, broken promises first, blocked accounts left out", async () => {
    const page = await get('collector', '/console/worklist');
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('Worklist: Today');
    // PROM-1 broken promise (section 1), EUR-1 call due (3), DISP-1 open dispute (4); GBP-1 is Bob's.
    expect(idsIn(page.body)).toEqual(['PROM-1', 'EUR-1', 'DISP-1']);
    expect(page.body).toContain('broken promise');
    expect(page.body).toContain('call due');
    expect(page.body).toMatch(/<strong>3<\/strong> account\(s\)/);
  });

  it("shows a manager everyone's day, with a collector filter", async () => {
    expect(idsIn((await get('manager', '/console/worklist')).body)).toEqual(['PROM-1', 'EUR-1', 'GBP-1', 'DISP-1']);
    expect(idsIn((await get('manager', `/console/worklist?collector=${bobId}`)).body)).toEqual(['GBP-1']);
    expect(idsIn((await get('manager', '/console/worklist?collector=unassigned')).body)).toEqual([]);
    expect(idsIn((await get('collector', '/console/worklist?view=calls')).body)).toEqual(['EUR-1']);
    expect(idsIn((await get('collector', '/console/worklist?view=promises')).body)).toEqual(['PROM-1']);
    expect(idsIn((await get('collector', '/console/worklist?view=disputes')).body)).toEqual(['DISP-1']);
  });

  it('ranks by overdue amount in the base currency with the rate date shown, and flags a currency without a rate', async () => {
    const page = await get('manager', '/console/worklist?view=overdue');
    expect(page.statusCode).toBe(200);
    // 14,412.00 USD = 13,292.75 EUR > 816.67 EUR (30,625.00 TRY) > 500.00 EUR > 300 > 200; GBP has no rate: last.
    expect(idsIn(page.body)).toEqual(['USD-1', 'TRY-1', 'EUR-1', 'DISP-1', 'PROM-1', 'GBP-1']);
    expect(page.body).toMatch(/EUR\s13,292\.75/);
    expect(page.body).toMatch(/USD\s14,412\.00 · rate of \d{4}-\d{2}-\d{2}/);
    expect(page.body).toMatch(/EUR\s816\.67/);
    expect(page.body).toContain('no rate for GBP');
    expect(page.body).toMatch(
      /No exchange rate to EUR on or before \d{4}-\d{2}-\d{2} for:\s*<strong>GBP<\/strong> \(1 account\(s\), GBP\s1,000\.00 overdue\)/,
    );
    // The total adds converted amounts only: 13,292.75 + 816.67 + 500 + 300 + 200 = 15,109.42 EUR, at the rates of both dates.
    expect(page.body).toMatch(
      /<strong>6<\/strong> account\(s\) · overdue <strong>EUR\s15,109\.42<\/strong>\s*\(converted to EUR at the rates of \d{4}-\d{2}-\d{2}, \d{4}-\d{2}-\d{2}\)/,
    );
  });

  it('brings legal-hold, bankrupt and written-off accounts back with a state filter', async () => {
    expect(idsIn((await get('manager', '/console/worklist?view=all&state=legal_hold')).body)).toEqual(['HOLD-1']);
    expect(idsIn((await get('manager', '/console/worklist?view=all&state=bankruptcy')).body)).toEqual(['BANK-1']);
    expect(idsIn((await get('manager', '/console/worklist?view=all&state=written_off')).body)).toEqual(['WO-1']);
    const any = await get('manager', '/console/worklist?view=all&state=any');
    expect(idsIn(any.body)).toEqual(expect.arrayContaining([...BLOCKED, 'USD-1']));
    expect(any.body).toContain('<span class="tag bad">legal hold</span>');
  });

  it('never shows a legal-hold, bankrupt or written-off account in a default-state view, whatever the view, collector or sort', async () => {
    for (const view of ['today', 'calls', 'promises', 'disputes', 'overdue', 'all']) {
      for (const sort of ['rank', 'name', 'overdue', 'balance', 'days', 'collector']) {
        for (const dir of ['asc', 'desc']) {
          for (const role of ['collector', 'manager'] as const) {
            const page = await get(role, `/console/worklist?view=${view}&sort=${sort}&dir=${dir}`);
            expect(page.statusCode).toBe(200);
            const shown = idsIn(page.body);
            for (const blocked of BLOCKED) expect(shown, `${role} ${view} ${sort} ${dir}`).not.toContain(blocked);
          }
        }
      }
    }
  });

  it('searches by name, external id, invoice number, email and phone', async () => {
    for (const q of ['hudson', 'USD-1', 'INV-USD-1', 'ap@hudson', '+1 415-555-0123', '415 555 0123']) {
      const page = await get('collector', `/console/worklist?q=${encodeURIComponent(q)}`);
      expect(page.statusCode, q).toBe(200);
      expect(idsIn(page.body), q).toEqual(['USD-1']);
    }
    // A search looks at every account, blocked ones included, unless a state is chosen.
    expect(idsIn((await get('collector', '/console/worklist?q=Held')).body)).toEqual(['HOLD-1']);
    expect(idsIn((await get('collector', '/console/worklist?q=Held&state=workable')).body)).toEqual([]);
    expect(idsIn((await get('collector', '/console/worklist?q=100%25')).body)).toEqual([]);
    // An account counts once however many of its fields match (its name and its email here).
    expect((await get('collector', '/console/worklist?q=hudson')).body).toMatch(
      /<strong>1<\/strong> account\(s\) · overdue <strong>EUR\s13,292\.75<\/strong>/,
    );
  });

  it('sorts on the server by the column asked for, with aria-sort and a link that flips the direction', async () => {
    const byName = await get('manager', '/console/worklist?view=overdue&sort=name&dir=asc');
    expect(idsIn(byName.body)).toEqual(['TRY-1', 'EUR-1', 'DISP-1', 'USD-1', 'PROM-1', 'GBP-1']);
    expect(byName.body).toMatch(
      /<th scope="col" aria-sort="ascending"><a href="\/console\/worklist\?view=overdue&amp;sort=name&amp;dir=desc">Customer/,
    );
    expect(byName.body).toMatch(/aria-sort="none"><a href="[^"]*sort=overdue&amp;dir=desc"/);
    const reversed = await get('manager', '/console/worklist?view=overdue&sort=name&dir=desc');
    expect(idsIn(reversed.body)).toEqual(['GBP-1', 'PROM-1', 'USD-1', 'DISP-1', 'EUR-1', 'TRY-1']);
    const byBalanceAsc = await get('manager', '/console/worklist?view=overdue&sort=balance&dir=asc');
    expect(idsIn(byBalanceAsc.body)).toEqual(['PROM-1', 'DISP-1', 'EUR-1', 'TRY-1', 'USD-1', 'GBP-1']);
    const byCollector = await get('manager', '/console/worklist?view=overdue&sort=collector&dir=asc');
    expect(idsIn(byCollector.body).at(-1)).toBe('GBP-1'); // "Ana collector" before "Bob Collector"
  });

  it('pages through long lists with totals and page counts', async () => {
    await seedLedger(
      t.runtime.prisma,
      Array.from({ length: 55 }, (_, i) => account(`BULK-${100 + i}`, `Bulk ${100 + i}`, 'EUR', 1_00 + i)),
    );
    const first = await get('manager', '/console/worklist?view=overdue&collector=unassigned');
    expect(first.body).toMatch(/<strong>55<\/strong> account\(s\)/);
    expect(first.body).toContain('Page 1 of 2');
    expect(idsIn(first.body)).toHaveLength(50);
    expect(idsIn(first.body)[0]).toBe('BULK-154'); // the highest overdue first
    const second = await get('manager', '/console/worklist?view=overdue&collector=unassigned&page=2');
    expect(idsIn(second.body)).toEqual(['BULK-104', 'BULK-103', 'BULK-102', 'BULK-101', 'BULK-100']);
    expect(second.body).toContain('Page 2 of 2');
    expect(second.body).toMatch(
      /href="\/console\/worklist\?view=overdue&amp;collector=unassigned" rel="prev"|href="\/console\/worklist\?view=overdue&amp;collector=unassigned">First/,
    );
    const beyond = await get('manager', '/console/worklist?view=overdue&collector=unassigned&page=3');
    expect(beyond.statusCode).toBe(200);
    expect(beyond.body).toContain('There is no page 3: the list has 2 page(s).');
    expect(beyond.body).toMatch(/<strong>55<\/strong> account\(s\) · overdue <strong>EUR\s69\.85<\/strong>/);
    // A search pages the same way, and past its last page still counts and totals what it found.
    const searched = await get('manager', '/console/worklist?q=bulk&page=2');
    expect(idsIn(searched.body)).toEqual(['BULK-104', 'BULK-103', 'BULK-102', 'BULK-101', 'BULK-100']);
    const searchedBeyond = await get('manager', '/console/worklist?q=bulk&page=3');
    expect(searchedBeyond.statusCode).toBe(200);
    expect(idsIn(searchedBeyond.body)).toEqual([]);
    expect(searchedBeyond.body).toContain('There is no page 3: the list has 2 page(s).');
    expect(searchedBeyond.body).toMatch(/<strong>55<\/strong> account\(s\) · overdue <strong>EUR\s69\.85<\/strong>/);
  });

  it('answers a bad parameter with a 400 page naming it', async () => {
    const cases: Array<[string, string]> = [
      ['view=tomorrow', 'view: "tomorrow" is not one of'],
      ['state=happy', 'state: "happy" is not one of'],
      ['collector=nobody', 'collector: &quot;nobody&quot; is not a user'],
      [`collector=${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`, 'collector:'],
      ['sort=colour', 'sort: "colour" is not one of'],
      ['dir=up', 'dir: "up" is not one of'],
      ['page=0', 'page: &quot;0&quot; is not a page number'],
      ['page=two', 'page: &quot;two&quot; is not a page number'],
      ['page=99999', 'page: at most'],
      ['q=ab', 'q: type at least 3 characters'],
      ['bucket=ancient', 'bucket:'],
      ['step=no-such-step', 'step: no case is at the step'],
      ['colour=red', 'colour: the worklist has no parameter'],
      ['view=today&view=calls', 'view: given more than once'],
    ];
    for (const [query, message] of cases) {
      const page = await get('collector', `/console/worklist?${query}`);
      expect(page.statusCode, query).toBe(400);
      expect(page.body.replaceAll('&quot;', '"'), query).toContain(message.replaceAll('&quot;', '"'));
    }
  });

  it('warns when a call is logged on an account under a legal hold or in bankruptcy', async () => {
    const page = await get('collector', '/console/customers/HOLD-1');
    const logged = await browse(jars.collector!, 'POST', '/console/customers/HOLD-1/actions/call', {
      _csrf: csrfIn(page.body),
      outcome: 'no_answer',
      notes: 'rang the office',
    });
    expect(logged.statusCode, logged.body).toBe(303);
    const flash = decodeURIComponent(/arrears_flash=([^;]+)/.exec(String(logged.headers['set-cookie']))?.[1] ?? '');
    expect(flash).toContain('Warning: this account is under a legal hold');
    const plain = await browse(jars.collector!, 'POST', '/console/customers/EUR-1/actions/call', {
      _csrf: csrfIn(page.body),
      outcome: 'no_answer',
      notes: 'rang',
    });
    expect(decodeURIComponent(String(plain.headers['set-cookie']))).not.toContain('Warning');
  });
});
