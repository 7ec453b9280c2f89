// Field readers shared by the row validators: each returns the value or a reason a person can act
// on. Pure; the caches only remember what Intl already answered.

export type FieldResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): FieldResult<T> => ({ ok: true, value });
const fail = <T>(reason: string): FieldResult<T> => ({ ok: false, reason });

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day `YYYY-MM-DD` that exists (2024-02-29 yes, 2026-02-30 no), returned as given. */
export function parseIsoDate(text: string): FieldResult<string> {
  const match = ISO_DATE.exec(text.trim());
  if (match === null) return fail(`"${text}" is not a date in YYYY-MM-DD form`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  // Year 0 does not exist (Postgres refuses 0000-01-01).
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return fail(`"${text}" is not a calendar date`);
  }
  return ok(match[0]);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `true/false/yes/no/1/0/y/n` in any case; empty is `undefined` (not given). */
export function parseOptionalBoolean(text: string): FieldResult<boolean | undefined> {
  const value = text.trim().toLowerCase();
  if (value === '') return ok(undefined);
  if (['true', 'yes', 'y', '1'].includes(value)) return ok(true);
  if (['false', 'no', 'n', '0'].includes(value)) return ok(false);
  return fail(`"${text}" is not one of true, false, yes, no, 1, 0`);
}

const zones = new Map<string, string | null>();

/** An IANA time zone, in its canonical spelling ("europe/bucharest" → "Europe/Bucharest"). */
export function parseTimeZone(text: string): FieldResult<string> {
  const name = text.trim();
  if (!zones.has(name)) {
    let canonical: string | null = null;
    if (name !== '') {
      try {
        canonical = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
      } catch {
        canonical = null;
      }
    }
    zones.set(name, canonical);
  }
  const canonical = zones.get(name);
  return canonical ? ok(canonical) : fail(`"${text}" is not an IANA time zone such as Europe/Bucharest`);
}

const locales = new Map<string, string | null>();

/** A BCP 47 locale this runtime can format for, canonicalised ("ro-ro" → "ro-RO"). */
export function parseLocale(text: string): FieldResult<string> {
  const tag = text.trim();
  if (!locales.has(tag)) {
    let canonical: string | null = null;
    try {
      const [first] = Intl.getCanonicalLocales(tag);
      if (first !== undefined && Intl.DateTimeFormat.supportedLocalesOf([first]).length > 0) canonical = first;
    } catch {
      canonical = null;
    }
    locales.set(tag, canonical);
  }
  const canonical = locales.get(tag);
  return canonical ? ok(canonical) : fail(`"${text}" is not a known locale such as en-US or ro-RO`);
}

const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;

/** One email address; the domain is lower-cased (the local part is the mailbox owner's). */
export function parseEmail(text: string): FieldResult<string> {
  const value = text.trim();
  if (value.length > 254 || !EMAIL.test(value)) return fail(`"${text}" is not an email address`);
  const at = value.lastIndexOf('@');
  return ok(`${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}`);
}
