import { z } from 'zod';
import { checkReferenceRate } from '../../core/interest/reference-rate-input.js';
import { REFERENCE_SOURCES, type ReferenceRate } from '../../core/interest/rules.js';
import type { PrismaClient } from '../../db/client.js';
import { upsertReferenceRates } from '../../db/reference-rates.repository.js';
import { inTransaction } from '../../db/transaction.js';
import { ProblemError, type FieldProblem } from './problem.js';
import { defineRoute, type ApiRoute } from './route.js';

/** Most reference rates in one request (the whole shipped history is about seventy). */
export const MAX_REFERENCE_RATES = 1_000;

const text = z.union([z.string(), z.number()]).transform(String);

const referenceRateItem = z.strictObject({
  source: z.string().describe(`one of ${REFERENCE_SOURCES.join(', ')}`),
  effective_on: z.string().describe('YYYY-MM-DD: in force from this day until the next row of the same source'),
  rate: text.describe('percent per year, at most two decimals, e.g. "4.25"'),
  fixed_sum: text.optional().describe('a fixed compensation published with the rate, in major units (Turkey: "2020.00")'),
  fixed_sum_currency: z.string().optional().describe('ISO 4217 code of fixed_sum'),
});

export interface ReferenceRateRouteDependencies {
  prisma: PrismaClient;
  clock: () => Date;
}

/** `POST /reference-rates`: the published rates late-payment interest follows, all or nothing. */
export function referenceRateRoutes(deps: ReferenceRateRouteDependencies): ApiRoute<any, any, any>[] {
  const post = defineRoute({
    method: 'POST',
    url: '/reference-rates',
    operationId: 'upsertReferenceRates',
    tag: 'ledger',
    scope: 'ledger:write',
    role: 'manager',
    summary: 'Store reference rates for late-payment interest (BoE, ECB, NBR, TCMB)',
    description:
      `Up to ${MAX_REFERENCE_RATES} items \`{ source, effective_on, rate, fixed_sum?, fixed_sum_currency? }\`. Upserts on (source, effective_on); ` +
      'a row restating a rate tells Arrears the rate was still in force that day. All or nothing: one bad item answers 400 naming its index and field.',
    body: z.strictObject({ items: z.array(referenceRateItem).min(1).max(MAX_REFERENCE_RATES) }),
    responses: {
      200: {
        description: 'Counts of created, updated and unchanged rates',
        schema: z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() }),
      },
    },
    handler: async ({ body }) => {
      const problems: FieldProblem[] = [];
      const rates: ReferenceRate[] = [];
      const seen = new Map<string, number>();
      body.items.forEach((item, index) => {
        const checked = checkReferenceRate(item);
        if (!checked.ok) {
          for (const p of checked.problems) problems.push({ field: `items[${index}].${p.field}`, index, message: p.message });
          return;
        }
        const key = `${checked.rate.source}|${checked.rate.effectiveOn}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          problems.push({
            field: `items[${index}].effective_on`,
            index,
            message: `${checked.rate.source} on ${checked.rate.effectiveOn} already appears at items[${earlier}]`,
          });
        }
        seen.set(key, index);
        rates.push(checked.rate);
      });
      if (problems.length > 0) {
        throw new ProblemError(400, `${new Set(problems.map((p) => p.index)).size} item(s) are invalid; nothing was written`, problems);
      }
      const now = deps.clock();
      return inTransaction(deps.prisma, ({ sql }) => upsertReferenceRates(sql, rates, 'api', now));
    },
  });
  return [post];
}
