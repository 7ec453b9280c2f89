import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { seedLedger } from '../../support/ledger.js';
import { startCli } from '../../support/processes.js';

// Tuesday 2026-03-10, 11:00 in Istanbul. The customer writes in Turkish, owes in EUR and USD, has
// paid part of it this week and is still on the credit hold placed in an earlier cycle.
const AS_OF = '2026-03-10T08:00:00Z';

let database: TestDatabase;

async function preview(args: string[]) {
  // No Redis: preview reads Postgres only, and an unreachable address proves it.
  const cli = startCli(['templates', 'preview', ...args], {
    DATABASE_URL: database.url,
    REDIS_URL: 'redis://127.0.0.1:9',
    TEMPLATES_DIR: '',
    LOG_LEVEL: 'warn',
  });
  const { code } = await cli.exit;
  // Intl separates amount and currency with no-break spaces.
  return { code, output: cli.output().replace(/[\u00A0\u202F]/g, ' ') };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const prisma = createPrisma(database.url);
  try {
    const ids = await seedLedger(prisma, [
      {
        externalId: 'PV-TR',
        name: 'Anadolu Makine A.Ş.',
        timeZone: 'Europe/Istanbul',
        locale: 'tr-TR',
        currency: 'EUR',
        mobile: '+905320000001',
        smsConsent: true,
        invoices: [
          { number: 'TR-001', amountMinor: 400_000, issuedOn: '2025-12-01', dueOn: '2026-01-09' },
          { number: 'TR-002', amountMinor: 150_000, balanceMinor: 90_000, issuedOn: '2026-01-20', dueOn: '2026-02-28' },
          { number: 'TR-003', amountMinor: 70_000, issuedOn: '2026-02-10', dueOn: '2026-03-20' },
          { number: 'TR-004', amountMinor: 55_000, issuedOn: '2026-01-05', dueOn: '2026-02-05' },
        ],
      },
      {
        externalId: 'PV-K',
        name: 'Carpați Logistic SRL',
        locale: 'ro',
        currency: 'EUR',
        invoices: [{ number: 'K-001', amountMinor: 365_000, issuedOn: '2025-12-10', dueOn: '2026-01-09' }],
      },
      {
        externalId: 'PV-EN',
        name: 'Harbour Foods Ltd',
        timeZone: 'Europe/London',
        locale: 'en-GB',
        currency: 'GBP',
        invoices: [{ number: 'EN-001', amountMinor: 12_345, issuedOn: '2026-02-10', dueOn: '2026-03-12' }],
      },
    ]);
    // A contractual rate: a claim whatever reference rates the table lacks.
    await prisma.customer.update({ where: { id: ids.get('PV-K')! }, data: { interestContractRateBp: 800 } });
    const customerId = ids.get('PV-TR')!;
    await prisma.invoice.create({
      data: {
        externalId: 'PV-TR-USD-1',
        customerId,
        number: 'TR-US-1',
        currency: 'USD',
        amountMinor: 123_450n,
        openBalanceMinor: 123_450n,
        issuedOn: new Date('2026-01-15T00:00:00Z'),
        dueOn: new Date('2026-02-14T00:00:00Z'),
      },
    });
    const disputed = await prisma.invoice.findFirstOrThrow({ where: { customerId, number: 'TR-004' } });
    await prisma.dispute.create({ data: { invoiceId: disputed.id, customerId, reasonCode: 'quality', openedBy: 'system' } });
    await prisma.creditHold.create({
      data: { customerId, reason: 'over 45 days past due', placedBy: 'system', placedAt: new Date('2026-01-25T09:00:00Z') },
    });
    await prisma.payment.create({
      data: { externalId: 'PV-TR-PAY-1', customerId, amountMinor: 60_000n, currency: 'EUR', receivedOn: new Date('2026-03-08T00:00:00Z') },
    });
  } finally {
    await prisma.$disconnect();
  }
});

afterAll(async () => {
  await database?.drop();
});

describe('arrears templates preview --customer', () => {
  it("renders the credit-hold notice with the customer's real invoices, locale, payment and hold", async () => {
    const { code, output } = await preview(['default/credit-hold-45', '--customer', 'PV-TR', '--as-of', AS_OF]);
    expect(code, output).toBe(0);
    expect(output).toContain('# customer PV-TR (Anadolu Makine A.Ş.) as of 2026-03-10T11:00:00.000+03:00: 3 invoice(s) covered');
    expect(output).toContain('# default/credit-hold-45 · email · tr (asked for tr-TR)');
    expect(output).toMatch(/^Subject: Hesabınızdaki kredi blokesi devam etmektedir/m);
    expect(output).toContain('€600,00 tutarındaki ödemeniz için teşekkür ederiz.');
    // Every overdue invoice still chased, in both currencies, with a total per currency.
    expect(output).toContain('TR-001 numaralı fatura');
    expect(output).toContain('TR-002 numaralı fatura');
    expect(output).toContain('TR-US-1 numaralı fatura');
    expect(output).toContain('Toplam açık bakiye: €4.900,00 + $1.234,50');
    // Not yet due: listed as coming up. Disputed: left out.
    expect(output).toMatch(/Yaklaşan ödemeler \(vadesi henüz gelmemiş\):\n- TR-003 numaralı fatura: €700,00/);
    expect(output).not.toContain('TR-004');
  });

  it('states the late-payment claim in a step with interest: true, in the customer’s words', async () => {
    const { code, output } = await preview(['default/final-notice-60', '--customer', 'PV-K', '--as-of', AS_OF]);
    expect(code, output).toBe(0);
    // 3,650 × 8 % × 60 / 365 = 48.00; no statutory compensation on a contractual rate.
    expect(output).toContain('Dobânzi penalizatoare și despăgubiri pentru întârziere (rata convenită prin contract)');
    expect(output).toContain('- Factura K-001: principal 3.650,00 EUR, 60 zile de întârziere la 8,00 % pe an: dobândă 48,00 EUR\n');
    expect(output).toContain('Dobândă până la zi: 48,00 EUR.\n');
    const firm = await preview(['default/firm-30', '--customer', 'PV-K', '--as-of', AS_OF]);
    expect(firm.output).not.toContain('Dobânzi penalizatoare');
  });

  it('renders an SMS with the count and the total', async () => {
    const { code, output } = await preview(['default/firm-30', '--customer', 'PV-TR', '--as-of', AS_OF, '--channel', 'sms']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^SMS: [1-3] segment\(s\), UCS-2$/m);
    expect(output).toContain('Ödemeniz için teşekkürler. 3 fatura gecikmede: €4.900,00 + $1.234,50.');
  });

  it('covers the invoices falling due in a courtesy reminder', async () => {
    const { code, output } = await preview(['default/courtesy', '--customer', 'PV-EN', '--as-of', AS_OF]);
    expect(code, output).toBe(0);
    expect(output).toContain('# default/courtesy · email · en (asked for en-GB)');
    expect(output).toContain('EN-001');
    expect(output).toContain('£123.45');
  });

  it('says plainly when the customer has nothing the template could name', async () => {
    const { code, output } = await preview(['default/overdue-7', '--customer', 'PV-EN', '--as-of', AS_OF]);
    expect(code).toBe(2);
    expect(output).toContain('customer "PV-EN" has no overdue invoice still being chased; "default/overdue-7" would not be sent');
  });

  it('fails with exit 2 for an unknown customer', async () => {
    const { code, output } = await preview(['default/overdue-7', '--customer', 'NOPE-1']);
    expect(code).toBe(2);
    expect(output).toContain('no customer with external id "NOPE-1"');
  });
});
