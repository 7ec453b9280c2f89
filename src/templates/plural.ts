/** Phrases per CLDR plural category; `#` stands for the formatted count. `other` is required. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/**
 * The count-aware phrase for a locale: Romanian `one`/`few`/`other` ("1 factură", "3 facturi",
 * "20 de facturi"), Turkish and Chinese `other` only. The category comes from Intl.PluralRules,
 * so templates list forms and never encode a language's rules.
 */
export function pluralPhrase(count: number, locale: string, forms: PluralForms): string {
  const category = new Intl.PluralRules(locale).select(count);
  const phrase = forms[category] ?? forms.other;
  return phrase.replace(/#/g, new Intl.NumberFormat(locale).format(count));
}
