// Phone numbers to E.164 without a phone-number database: international forms are cleaned up;
// national forms get the country calling code of the customer's locale region. Whether a number
// is a mobile cannot be known without carrier data, so a number counts as mobile (SMS may be
// tried, consent permitting) unless the file marks it "(landline)".

import type { FieldResult } from './fields.js';

/** Calling codes by ISO 3166 region, for numbers written in national form. */
const CALLING_CODES: Readonly<Record<string, string>> = {
  US: '1',
  CA: '1',
  GB: '44',
  IE: '353',
  DE: '49',
  AT: '43',
  CH: '41',
  FR: '33',
  BE: '32',
  NL: '31',
  LU: '352',
  IT: '39',
  ES: '34',
  PT: '351',
  PL: '48',
  CZ: '420',
  SK: '421',
  HU: '36',
  RO: '40',
  MD: '373',
  BG: '359',
  GR: '30',
  TR: '90',
  UA: '380',
  SE: '46',
  NO: '47',
  DK: '45',
  FI: '358',
  CN: '86',
  HK: '852',
  TW: '886',
  JP: '81',
  KR: '82',
  SG: '65',
  IN: '91',
  AU: '61',
  NZ: '64',
  BR: '55',
  MX: '52',
  AE: '971',
  SA: '966',
  ZA: '27',
  IL: '972',
};

/** Regions whose national numbers keep their leading 0 after the country code. */
const KEEPS_TRUNK_ZERO = new Set(['IT']);

const LANDLINE_MARK = /\s*[(;,]\s*(landline|fixed)\s*\)?\s*$/i;

export interface Phone {
  e164: string;
  isMobile: boolean;
}

/** The region of a locale, guessing it for a bare language ("ro" → RO, "en" → US). */
export function regionOfLocale(locale: string): string | undefined {
  try {
    return new Intl.Locale(locale).maximize().region;
  } catch {
    return undefined;
  }
}

/**
 * Reads "+40 721 234 567", "0040721234567", "(212) 555-0143" (national, region US),
 * "0721 234 567" (national, region RO), optionally followed by "(landline)".
 */
export function parsePhone(text: string, region: string | undefined): FieldResult<Phone> {
  const isMobile = !LANDLINE_MARK.test(text);
  const written = text.replace(LANDLINE_MARK, '').trim();
  const compact = written.replace(/[\s\-.()/]/g, '');
  const invalid = (why: string): FieldResult<Phone> => ({ ok: false, reason: `phone "${text}" ${why}` });
  let digits: string;
  if (compact.startsWith('+')) digits = compact.slice(1);
  else if (compact.startsWith('00')) digits = compact.slice(2);
  else {
    const code = region === undefined ? undefined : CALLING_CODES[region];
    if (code === undefined) return invalid('has no country code (write it as +<country code> <number>)');
    if (!/^\d+$/.test(compact)) return invalid('is not a phone number');
    let national = compact;
    if (code === '1' && national.length === 11 && national.startsWith('1')) national = national.slice(1);
    else if (!KEEPS_TRUNK_ZERO.has(region ?? '') && national.startsWith('0')) national = national.slice(1);
    digits = code + national;
  }
  if (!/^[1-9]\d{7,14}$/.test(digits)) return invalid('is not a valid international number');
  return { ok: true, value: { e164: `+${digits}`, isMobile } };
}
