import type { AgingBucket } from '../core/aging.js';
import { agingBuckets } from '../core/aging.js';

/**
 * Default allowance rates for doubtful accounts, percent of the bucket's balance, by the
 * standard buckets. A configured bucket without its own rate takes the rate of the standard
 * bucket its first day falls in (a `16-45` bucket takes the `1-30` rate).
 */
export const DEFAULT_ALLOWANCE_RATES: Readonly<Record<string, string>> = {
  current: '1',
  '1-30': '3',
  '31-60': '10',
  '61-90': '25',
  '90+': '50',
};

// Rates are kept as exact decimals: percent × 10⁴ as a bigint (up to 4 decimal places).
const RATE_SCALE = 10_000n;
const PERCENT_RATE_SCALE = 100n * RATE_SCALE;

/** Parses `current=1,1-30=3,90+=50` into label → percent (decimal string, 0–100, ≤ 4 decimals). */
export function parseRates(text: string): Record<string, string> {
  const rates: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [label, rate, extra] = part.split('=').map((p) => p.trim());
    if (!label || rate === undefined || extra !== undefined) {
      throw new Error(`rates must look like current=1,1-30=3,90+=50; got "${part}"`);
    }
    scaledRate(rate);
    rates[label] = rate;
  }
  return rates;
}

function scaledRate(rate: string): bigint {
  const match = /^(\d{1,3})(?:\.(\d{1,4}))?$/.exec(rate);
  if (!match) throw new Error(`an allowance rate is a percent with at most 4 decimals, got "${rate}"`);
  const scaled = BigInt(match[1] ?? '0') * RATE_SCALE + BigInt((match[2] ?? '').padEnd(4, '0'));
  if (scaled > PERCENT_RATE_SCALE) throw new Error(`an allowance rate cannot exceed 100%, got "${rate}"`);
  return scaled;
}

/**
 * The rate of every bucket: the given one, else the standard bucket's default. A rate for a
 * label that is not a bucket is an error (a typo would otherwise be silently ignored).
 */
export function resolveRates(buckets: readonly AgingBucket[], given: Readonly<Record<string, string>> = {}): Record<string, string> {
  const labels = new Set(buckets.map((b) => b.label));
  const unknown = Object.keys(given).filter((label) => !labels.has(label));
  if (unknown.length > 0) {
    throw new Error(`no aging bucket called ${unknown.join(', ')}; buckets are ${[...labels].join(', ')}`);
  }
  const standard = agingBuckets();
  const resolved: Record<string, string> = {};
  for (const bucket of buckets) {
    const fallback = standard.find((s) => bucket.minDays >= s.minDays && (s.maxDays === null || bucket.minDays <= s.maxDays));
    resolved[bucket.label] = given[bucket.label] ?? DEFAULT_ALLOWANCE_RATES[fallback?.label ?? 'current'] ?? '0';
  }
  return resolved;
}

/**
 * `rate` percent of an amount of minor units, rounded half-up (half away from zero), exactly:
 * no float is involved. `allowanceFor(1250, '10')` = 125; `allowanceFor(5, '10')` = 1 (0.5 → 1).
 */
export function allowanceFor(amountMinor: number, ratePercent: string): number {
  const product = BigInt(amountMinor) * scaledRate(ratePercent);
  const magnitude = product < 0n ? -product : product;
  const rounded = (magnitude * 2n + PERCENT_RATE_SCALE) / (2n * PERCENT_RATE_SCALE);
  return Number(product < 0n ? -rounded : rounded);
}
