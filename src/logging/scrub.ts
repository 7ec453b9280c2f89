import { errorForLog } from './error-serializer.js';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// International numbers as customers and Twilio write them: a plus, then 8–15 digits that may be
// grouped by spaces, dots, dashes or brackets.
const PHONE = /\+\d(?:[\s().-]?\d){7,14}/g;
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*:[^/\s@]*@/gi;

function scrubString(value: string): string {
  return value.replace(URL_CREDENTIALS, '$1[redacted]@').replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

/** Masks email addresses, phone numbers and URL credentials in strings, objects and arrays. */
export function scrubPersonalData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return scrubPersonalData(errorForLog(value), depth + 1);
  if (Array.isArray(value)) return value.map((item) => scrubPersonalData(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubPersonalData(item, depth + 1);
  return out;
}
