import { BoundedCache } from '../core/bounded-cache.js';

/** Phrases per CLDR plural category; `#` stands for the formatted count. `other` is required. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/**
 * The count-aware phrase for a locale: Romanian `one`/`few`/`other` ("1 factură", "3 facturi",
 * "20 de facturi"), Turkish and Chinese `other` only. The category comes from Intl.PluralRules,
 * so templates list forms and never encode a language's rules.
 */
export function pluralPhrase(count: number, locale: string, forms: PluralForms): string {
  const { rules, numbers } = intlFor(locale);
  const phrase = forms[rules.select(count)] ?? forms.other;
  return phrase.replace(/#/g, numbers.format(count));
}

// Building Intl objects costs far more than using them, and every reminder needs them.
const byLocale = new BoundedCache<{ rules: Intl.PluralRules; numbers: Intl.NumberFormat }>(1_000);

const intlFor = (locale: string) =>
  byLocale.get(locale, () => ({ rules: new Intl.PluralRules(locale), numbers: new Intl.NumberFormat(locale) }));
