import { join } from 'node:path';
import type { TemplateCatalog } from './catalog.js';
import type { Channel, CompanyProfile } from './context.js';
import { CHANNEL_PARTS, SHIPPED_TEMPLATES, type TemplatePart } from './manifest.js';
import { renderMessage } from './render.js';
import { sampleVariants } from './sample-context.js';
import { asTemplateError } from './template-error.js';

/**
 * Three segments: 459 GSM-7 characters or 201 UCS-2 units. Chinese and Turkish always travel as
 * UCS-2, and a reminder there with the amount, the pay link and the mandatory opt-out line does
 * not fit two (134 units); beyond three, each extra part is billed and concatenated messages are
 * the ones handsets show out of order or in part.
 */
export const DEFAULT_SMS_SEGMENT_LIMIT = 3;

/** Validation settings, from config. */
export interface ValidationOptions {
  /** Most segments an SMS body may take with the sample context. */
  smsSegmentLimit?: number;
  /**
   * The business's own details, rendered in place of the sample company's: their length counts
   * towards SMS segments. Default the sample's.
   */
  company?: CompanyProfile;
}

/** One thing wrong with one file. */
export interface TemplateProblem {
  file: string;
  problem: string;
}

/** Every problem found, so a business fixes its overrides in one pass, not one per restart. */
export class TemplateValidationError extends Error {
  constructor(readonly problems: readonly TemplateProblem[]) {
    super(`${problems.length} template problem(s):\n` + problems.map(({ file, problem }) => `  ${file}: ${problem}`).join('\n'));
    this.name = 'TemplateValidationError';
  }
}

function partPath(catalog: TemplateCatalog, templateId: string, locale: string, part: TemplatePart): string {
  const existing = catalog.messages.get(templateId)?.get(locale)?.get(part);
  return existing?.path ?? join(catalog.shippedDir, 'messages', templateId, locale, `${part}.hbs`);
}

/** Shipped templates must exist whole in every locale they ship in. */
function missingFiles(catalog: TemplateCatalog): TemplateProblem[] {
  return SHIPPED_TEMPLATES.flatMap(({ id, channels, locales }) =>
    locales.flatMap((locale) =>
      channels.flatMap((channel) =>
        CHANNEL_PARTS[channel]
          .filter((part) => !catalog.messages.get(id)?.get(locale)?.has(part))
          .map((part) => ({
            file: partPath(catalog, id, locale, part),
            problem: `missing: "${id}" ships ${channel} in ${locale}, which needs this file`,
          })),
      ),
    ),
  );
}

/** A locale with some but not all of a channel's files is a half-finished override. */
function channelsOf(catalog: TemplateCatalog, templateId: string, locale: string): { channels: Channel[]; problems: TemplateProblem[] } {
  const parts = catalog.messages.get(templateId)?.get(locale) ?? new Map();
  const channels: Channel[] = [];
  const problems: TemplateProblem[] = [];
  for (const [channel, needed] of Object.entries(CHANNEL_PARTS) as [Channel, readonly TemplatePart[]][]) {
    const present = needed.filter((part) => parts.has(part));
    if (present.length === needed.length) channels.push(channel);
    else if (present.length > 0) {
      const absent = needed.filter((part) => !parts.has(part));
      const problem = `missing: ${present.join(', ')} exist here, and ${channel} needs this file too`;
      problems.push(...absent.map((part) => ({ file: partPath(catalog, templateId, locale, part), problem })));
    }
  }
  return { channels, problems };
}

function renderProblems(
  catalog: TemplateCatalog,
  templateId: string,
  locale: string,
  channel: Channel,
  limit: number,
  company: CompanyProfile | undefined,
): TemplateProblem[] {
  const mainFile = partPath(catalog, templateId, locale, CHANNEL_PARTS[channel][0]!);
  for (const sample of sampleVariants(templateId, { locale })) {
    const context = company ? { ...sample, company } : sample;
    try {
      const message = renderMessage(catalog, { templateId, channel, locale, context });
      if (message.channel === 'sms' && message.segments > limit) {
        return [
          {
            file: mainFile,
            problem: `SMS body takes ${message.segments} ${message.encoding} segments with the sample context; the limit is ${limit}`,
          },
        ];
      }
    } catch (error) {
      const { file, problem } = asTemplateError(mainFile, error);
      const via = file === mainFile ? '' : ` (while rendering ${mainFile})`;
      return [{ file, problem: problem + via }];
    }
  }
  return [];
}

/**
 * Renders every template in every locale and channel it has, against each sample variant, and
 * checks that shipped templates are complete and SMS bodies fit `smsSegmentLimit` (with
 * `company`'s details when given). Throws a
 * `TemplateValidationError` listing each file and its problem; call it at start, before any send.
 */
export function validateCatalog(catalog: TemplateCatalog, options: ValidationOptions = {}): void {
  const limit = options.smsSegmentLimit ?? DEFAULT_SMS_SEGMENT_LIMIT;
  const problems = missingFiles(catalog);
  for (const [templateId, byLocale] of catalog.messages) {
    for (const locale of byLocale.keys()) {
      const { channels, problems: partial } = channelsOf(catalog, templateId, locale);
      problems.push(...partial);
      for (const channel of channels) {
        problems.push(...renderProblems(catalog, templateId, locale, channel, limit, options.company));
      }
    }
  }
  // A shipped file that is missing is reported once, not by both checks.
  const unique = [...new Map(problems.map((found) => [found.file, found])).values()];
  if (unique.length > 0) throw new TemplateValidationError(unique);
}
