import type { PrismaClient } from '../../src/db/client.js';

/** A customer to seed, with sensible defaults: a Romanian business customer, email only. */
export interface CustomerSeed {
  externalId: string;
  name?: string;
  timeZone?: string;
  locale?: string;
  currency?: string;
  email?: string | null;
  mobile?: string | null;
  smsConsent?: boolean;
  policy?: string;
  invoices: Array<{ number: string; amountMinor: number; balanceMinor?: number; issuedOn: string; dueOn: string }>;
}

/** Seeds customers, their contact points, invoices and a case due at `caseDueAt`. Returns ids by external id. */
export async function seedLedger(
  prisma: PrismaClient,
  customers: CustomerSeed[],
  caseDueAt = new Date('2000-01-01T00:00:00Z'),
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const seed of customers) {
    const currency = seed.currency ?? 'RON';
    const email = seed.email === undefined ? `${seed.externalId.toLowerCase()}@example.com` : seed.email;
    const customer = await prisma.customer.create({
      data: {
        externalId: seed.externalId,
        name: seed.name ?? `${seed.externalId} SRL`,
        timeZone: seed.timeZone ?? 'Europe/Bucharest',
        locale: seed.locale ?? 'ro',
        currency,
        smsConsent: seed.smsConsent ?? false,
        policyId: seed.policy ?? 'default',
        contactPoints: {
          create: [
            ...(email ? [{ kind: 'email' as const, value: email, role: 'billing' as const }] : []),
            ...(seed.mobile ? [{ kind: 'phone' as const, value: seed.mobile, role: 'primary' as const, isMobile: true }] : []),
          ],
        },
        invoices: {
          create: seed.invoices.map((invoice) => ({
            externalId: `${seed.externalId}-${invoice.number}`,
            number: invoice.number,
            currency,
            amountMinor: BigInt(invoice.amountMinor),
            openBalanceMinor: BigInt(invoice.balanceMinor ?? invoice.amountMinor),
            issuedOn: new Date(`${invoice.issuedOn}T00:00:00Z`),
            dueOn: new Date(`${invoice.dueOn}T00:00:00Z`),
          })),
        },
        collectionCase: { create: { nextLookAt: caseDueAt } },
      },
    });
    ids.set(seed.externalId, customer.id);
  }
  return ids;
}
