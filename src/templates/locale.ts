import { BoundedCache } from '../core/bounded-cache.js';

/** The locales every customer-facing template ships in. */
export const SHIPPED_LOCALES = ['en', 'zh-CN', 'ro', 'tr'] as const;

/** The last resort of every fallback chain. */
export const BASE_LOCALE = 'en';

// A bare language goes to the variant we write for: Traditional Chinese readers get Simplified
// rather than English, because our teams write zh-CN only.
const LANGUAGE_DEFAULT: Readonly<Record<string, string>> = { zh: 'zh-CN' };

/** Canonical BCP 47 form of a tag (`zh_tw` → `zh-TW`), or undefined when it is not a tag. */
export function canonicalLocale(tag: string): string | undefined {
  return canonical.get(tag, () => {
    try {
      return Intl.getCanonicalLocales(tag.trim().replace(/_/g, '-'))[0];
    } catch {
      return undefined;
    }
  });
}

// Every reminder asks again about one of a handful of tags; Intl answers slowly.
const canonical = new BoundedCache<string | undefined>(1_000);
const languages = new BoundedCache<string>(1_000);

const languageOf = (tag: string): string => languages.get(tag, () => new Intl.Locale(tag).language);

/**
 * The one place the template locale is chosen: the exact tag, then its language, then the
 * language's default variant (`zh-TW`/`zh-HK`/`zh` → `zh-CN`; `ro-MD` → `ro`; `tr-CY` → `tr`),
 * then `en`. `available` is what the template exists in (shipped plus overrides).
 */
export function pickLocale(requested: string, available: readonly string[]): string {
  const tag = canonicalLocale(requested);
  const language = tag ? languageOf(tag) : undefined;
  const chain = [tag, language, language && LANGUAGE_DEFAULT[language], BASE_LOCALE];
  const found = chain.find((candidate) => candidate !== undefined && available.includes(candidate));
  return found ?? BASE_LOCALE;
}

/**
 * The locale numbers and dates are formatted in: the customer's own tag when the template is in
 * the same language (an `en-GB` reader of the `en` template gets `14 March 2025`), otherwise the
 * template's, so the text never mixes two languages.
 */
export function formattingLocale(requested: string, templateLocale: string): string {
  const tag = canonicalLocale(requested);
  if (tag && languageOf(tag) === languageOf(templateLocale)) return tag;
  return templateLocale;
}
