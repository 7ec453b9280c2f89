import { DateTime } from 'luxon';
import { z } from 'zod';
import { isKnownCurrency, rateProblem } from '../../core/money.js';
import type { PrismaClient } from '../../db/client.js';
import { upsertExchangeRates, type ExchangeRateToStore } from '../../db/exchange-rates.repository.js';
import { inTransaction } from '../../db/transaction.js';
import { ProblemError, type FieldProblem } from './problem.js';
import { defineRoute, type ApiRoute } from './route.js';

/** Most rates in one request (a year of ECB history is ~8,000). */
export const MAX_RATES = 10_000;

const rateItem = z.strictObject({
  currency: z.string().trim().describe('ISO 4217 code, not the base currency'),
  rate_date: z.string().trim().describe('YYYY-MM-DD: the rate is in force from this day until a later one'),
  rate: z
    .union([z.string(), z.number()])
    .transform(String)
    .describe('units of the currency per one unit of BASE_CURRENCY, as a positive decimal, e.g. "1.0842"'),
  source: z.string().trim().min(1).max(200).optional().describe('where the rate came from (default "api")'),
});

export interface ExchangeRateRouteDependencies {
  prisma: PrismaClient;
  baseCurrency: string;
  clock: () => Date;
}

/** `POST /exchange-rates`: dated rates against BASE_CURRENCY, all or nothing. */
export function exchangeRateRoutes(deps: ExchangeRateRouteDependencies): ApiRoute<any, any, any>[] {
  const post = defineRoute({
    method: 'POST',
    url: '/exchange-rates',
    operationId: 'upsertExchangeRates',
    tag: 'ledger',
    scope: 'ledger:write',
    role: 'manager',
    summary: `Store dated exchange rates against the base currency (BASE_CURRENCY)`,
    description:
      `Up to ${MAX_RATES} items \`{ currency, rate_date, rate, source? }\`, each rate quoted as units of the currency per one unit of the ` +
      'base currency (the ECB quotes USD per 1 EUR). Upserts on (currency, rate_date). All or nothing: one bad item answers 400 naming its index and field.',
    body: z.strictObject({ items: z.array(rateItem).min(1).max(MAX_RATES) }),
    bodyLimit: 4 * 1024 * 1024,
    responses: {
      200: {
        description: 'Counts of created, updated and unchanged rates, and the base they are quoted against',
        schema: z.object({ base: z.string(), created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() }),
      },
    },
    handler: async ({ body }) => {
      const problems: FieldProblem[] = [];
      const rates: ExchangeRateToStore[] = [];
      const seen = new Map<string, number>();
      body.items.forEach((item, index) => {
        const fail = (field: string, message: string) => problems.push({ field: `items[${index}].${field}`, index, message });
        const currency = item.currency.toUpperCase();
        if (!isKnownCurrency(currency)) fail('currency', `"${item.currency}" is not an ISO 4217 currency code`);
        else if (currency === deps.baseCurrency) fail('currency', `${currency} is the base currency; its rate is 1 by definition`);
        const date = DateTime.fromISO(item.rate_date, { zone: 'UTC' });
        if (!/^\d{4}-\d{2}-\d{2}$/.test(item.rate_date) || !date.isValid)
          fail('rate_date', `"${item.rate_date}" is not a date (YYYY-MM-DD)`);
        const problem = rateProblem(item.rate);
        if (problem !== null) fail('rate', problem);
        const key = `${currency}|${item.rate_date}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) fail('rate_date', `${currency} on ${item.rate_date} already appears at items[${earlier}]`);
        seen.set(key, index);
        rates.push({ currency, rateDate: item.rate_date, rate: item.rate.trim(), source: item.source ?? 'api' });
      });
      if (problems.length > 0) {
        throw new ProblemError(400, `${new Set(problems.map((p) => p.index)).size} item(s) are invalid; nothing was written`, problems);
      }
      const now = deps.clock();
      const written = await inTransaction(deps.prisma, ({ sql }) => upsertExchangeRates(sql, deps.baseCurrency, rates, now), {
        timeout: 60_000,
      });
      return { base: deps.baseCurrency, ...written };
    },
  });
  return [post];
}
