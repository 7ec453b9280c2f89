import { DateTime } from 'luxon';
import { formatMoney } from '../../core/money.js';

/** The console's reading locale (labels are English; amounts grouped accordingly). */
export const CONSOLE_LOCALE = 'en';

/** An amount for a table where currencies mix: grouped digits, the currency's ISO decimals, the ISO code (`EUR 14,412.00`). */
export function amount(minor: bigint | number, currency: string): string {
  return formatMoney(minor, currency, CONSOLE_LOCALE, 'code');
}

/** An instant in the customer's zone and in the reader's, each labelled with its zone. */
export interface TwoZoneTime {
  iso: string;
  /** `2026-12-06 14:05` in the customer's zone. */
  customer: string;
  customerZone: string;
  /** The same instant in the reader's zone; null when both zones read the same. */
  user: string | null;
  userZone: string;
}

export function twoZones(at: Date, customerZone: string, userZone: string): TwoZoneTime {
  const instant = DateTime.fromJSDate(at);
  const inCustomer = instant.setZone(customerZone).toFormat('yyyy-MM-dd HH:mm');
  const inUser = instant.setZone(userZone).toFormat('yyyy-MM-dd HH:mm');
  return {
    iso: instant.toUTC().toISO()!,
    customer: inCustomer,
    customerZone,
    user: inUser === inCustomer ? null : inUser,
    userZone,
  };
}
