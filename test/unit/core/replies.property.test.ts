import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { classifyReply, REPLY_CLASSIFICATIONS, type ReplyMessage } from '../../../src/core/replies.js';

// Whatever arrives (any unicode, half a date, a broken report), the classifier answers with a
// verdict that says why, and never dates a promise or a return before the day it was received.
const zones = fc.constantFrom('Europe/Bucharest', 'Europe/Istanbul', 'Asia/Shanghai', 'America/New_York', 'Pacific/Kiritimati', 'UTC');
const receivedAt = fc
  .tuple(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 11, 31) }), zones)
  .map(([millis, zone]) => DateTime.fromMillis(millis, { zone }));

/** Fragments the rules look for, so random text often comes close to matching. */
const fragment = fc.constantFrom(
  'we will pay', 'on', '15 March', '29 February', '31/04', '3/15', 'next Friday', 'end of the month', 'vom plăti pe', 'martie',
  "Mart'ta", 'ödeyeceğiz', '我们将在', '3月15日', '付款', '€1,200.50', '1.200,50 lei', 'stop emailing me', 'unsubscribe',
  'we paid', 'remittance advice', 'wrong amount', '> please pay by 10 December', 'On Fri, 4 Dec 2026 wrote:', 'Final-Recipient: rfc822; a@b',
  'Status: 5.1.1', 'Action: failed', 'out of the office until', '2027-02-30', 'by 2021-01-05', 'in 999 days', 'INV-1', '\n', ' ', '\uD83D', 'x'.repeat(30_000),
); // prettier-ignore
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.array(fc.oneof(fragment, fc.string({ maxLength: 8 })), { maxLength: 20 }).map((parts) => parts.join(' ')),
);
const headerName = fc.constantFrom('auto-submitted', 'precedence', 'x-autoreply', 'from', 'content-type', 'x-failed-recipients');

const message: fc.Arbitrary<ReplyMessage> = fc.record({
  channel: fc.constantFrom('email' as const, 'sms' as const),
  subject: fc.option(text, { nil: null }),
  text,
  headers: fc.array(fc.tuple(headerName, text), { maxLength: 3 }).map((entries) => new Map(entries)),
  deliveryStatus: fc.option(text, { nil: null }),
});

describe('classifyReply on anything', () => {
  it('never throws, always explains, and never dates anything before the day received', () => {
    fc.assert(
      fc.property(
        message,
        receivedAt,
        fc.option(fc.constantFrom('EUR', 'RON', 'TRY', 'CNY', 'JPY', 'KWD', 'XYZ'), { nil: null }),
        (reply, at, currency) => {
          const verdict = classifyReply(reply, { receivedAt: at, currency, invoiceNumbers: ['INV-1', 'F-77'] });
          expect(REPLY_CLASSIFICATIONS).toContain(verdict.classification);
          expect(verdict.rule.length).toBeGreaterThan(0);
          expect(verdict.reason.length).toBeGreaterThan(0);
          expect(verdict.fromPerson).toBe(verdict.classification !== 'auto_reply' && verdict.classification !== 'bounce');
          const today = at.toISODate() ?? '';
          for (const date of [verdict.promisedOn, verdict.returnsOn]) {
            if (date !== undefined) {
              expect(DateTime.fromISO(date).isValid).toBe(true);
              expect(date >= today).toBe(true);
            }
          }
          if (verdict.classification === 'promise') expect(verdict.promisedOn).toBeDefined();
          if (verdict.promisedAmount !== undefined) {
            expect(Number.isSafeInteger(verdict.promisedAmount.minor)).toBe(true);
            expect(verdict.promisedAmount.minor).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
