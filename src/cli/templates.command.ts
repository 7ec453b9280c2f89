import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { DateTime } from 'luxon';
import { openRuntime } from '../app/runtime.js';
import type { Config } from '../config/config.js';
import { loadCaseSnapshots } from '../db/case-snapshot.repository.js';
import { listCaseIds } from '../db/cases.repository.js';
import { stepClaimsInterest } from '../core/policy.js';
import { reminderContext } from '../dunning/compose-message.js';
import { claimsOfMessage, stepInterest } from '../dunning/late-interest.js';
import { loadClaims } from '../reports/sources/interest.source.js';
import { NothingToPreviewError, previewSubject } from '../dunning/preview-reminder.js';
import { resolveUnsubscribeSecret, unsubscribeUrlBuilder } from '../dunning/unsubscribe-token.js';
import {
  availableLocales,
  CHANNEL_PARTS,
  createTemplateCatalog,
  previewTemplate,
  sampleContext,
  SHIPPED_LOCALES,
  SHIPPED_TEMPLATES,
  TemplateError,
  TemplateValidationError,
  usesSampleDetails,
  validateCatalog,
  withSampleDetails,
  type Channel,
  type RenderedMessage,
  type ReminderContext,
  type TemplateCatalog,
} from '../templates/index.js';
import { loadDunningRules } from '../workflows/load-rules.js';
import { loadPolicies } from '../workflows/load-policies.js';
import type { CommandContext } from './main.js';
import { parseInstant } from './tick.command.js';

const CHANNELS = Object.keys(CHANNEL_PARTS) as Channel[];

/** Shipped templates plus the configured overrides; a misplaced or unparsable file throws. */
function loadCatalog(config: Config): TemplateCatalog {
  return createTemplateCatalog(config.templatesDir ? { overrideDir: config.templatesDir } : {});
}

/** A preview asked for something that is not there (a customer, an option): exit 2. */
class PreviewUsageError extends Error {}

/**
 * Template problems are the operator's to fix: print them plainly and fail (exit 1), no stack
 * trace; a preview of something that is not there exits 2.
 */
function reportingTemplateErrors<A extends unknown[]>(action: (...args: A) => void | Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      const usage = error instanceof PreviewUsageError || error instanceof NothingToPreviewError;
      if (!(usage || error instanceof TemplateError || error instanceof TemplateValidationError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exitCode = usage ? 2 : 1;
    }
  };
}

function describe(message: RenderedMessage, templateId: string, requestedLocale: string, smsSegmentLimit: number): string {
  const asked = message.locale === requestedLocale ? '' : ` (asked for ${requestedLocale})`;
  const header = `# ${templateId} · ${message.channel} · ${message.locale}${asked}`;
  switch (message.channel) {
    case 'email':
      return `${header}\nSubject: ${message.subject}\n\n${message.text}\n`;
    case 'sms': {
      const over = message.segments > smsSegmentLimit ? ` — over the limit of ${smsSegmentLimit}` : '';
      return `${header}\nSMS: ${message.segments} segment(s), ${message.encoding}${over}\n\n${message.body}\n`;
    }
    case 'task':
      return `${header}\nTitle: ${message.title}\n\n${message.body}\n`;
  }
}

interface PreviewOptions {
  locale?: string;
  channel?: Channel;
  out?: string;
  customer?: string;
  asOf?: DateTime;
}

function print(config: Config, message: RenderedMessage, templateId: string, locale: string, out: string | undefined, note = ''): void {
  const printed = note + describe(message, templateId, locale, config.sms.segmentLimit);
  process.stdout.write(printed);
  if (out) {
    const file = resolve(out);
    writeFileSync(file, message.channel === 'email' ? `${message.html}\n` : printed);
    process.stdout.write(`\n(${message.channel === 'email' ? 'HTML part' : 'preview'} written to ${file})\n`);
  } else if (message.channel === 'email') {
    process.stdout.write('\n(HTML part not shown; --out <file> writes it)\n');
  }
}

async function preview(context: CommandContext, templateId: string, options: PreviewOptions): Promise<void> {
  const config = context.config();
  if (options.customer) return previewForCustomer(context, templateId, options.customer, options);
  if (!options.locale) throw new PreviewUsageError('error: --locale <locale> is required unless --customer is given');
  if (options.asOf) throw new PreviewUsageError('error: --as-of goes with --customer (sample data has its own date)');
  const catalog = loadCatalog(config);
  const sample = { ...sampleContext(templateId, { locale: options.locale }), company: config.company };
  const { message } = previewTemplate(catalog, {
    templateId,
    locale: options.locale,
    context: sample,
    ...(options.channel && { channel: options.channel }),
  });
  print(config, message, templateId, options.locale, options.out);
}

/**
 * The customer's real open invoices, locale and amounts, read the way the step job reads them and
 * rendered through the worker's own `reminderContext`, so the preview is what would be sent.
 */
async function previewForCustomer(context: CommandContext, templateId: string, externalId: string, options: PreviewOptions): Promise<void> {
  const config = context.config();
  const catalog = loadCatalog(config);
  const runtime = await openRuntime(config, context.logger(), { redis: false });
  try {
    const [caseId] = await listCaseIds(runtime.prisma, externalId);
    if (!caseId) throw new PreviewUsageError(`no customer with external id "${externalId}"`);
    const now = options.asOf ?? runtime.clock.now();
    const [snapshot] = await loadCaseSnapshots(runtime.db, [caseId], now);
    if (!snapshot) throw new PreviewUsageError(`no customer with external id "${externalId}"`);
    const [policies, rules] = await Promise.all([loadPolicies(config.policiesDir), loadDunningRules(config.rulesFile)]);
    const { publicBaseUrl } = config.http;
    const unsubscribeUrl = unsubscribeUrlBuilder(
      publicBaseUrl,
      publicBaseUrl ? await resolveUnsubscribeSecret(config.http.unsubscribeSecret, config.dataDir) : null,
    );
    const subject = previewSubject(snapshot, templateId, policies, rules);
    const real: ReminderContext = reminderContext(snapshot, subject, { catalog, company: config.company, unsubscribeUrl });
    // A step with `interest: true` states the customer's claim, as the worker would.
    const day = now.setZone(snapshot.input.customer.timeZone).toISODate()!;
    const interest = stepClaimsInterest(policies.get(subject.policyId), subject.stepId)
      ? stepInterest(
          claimsOfMessage(
            await loadClaims(runtime.db, {
              asOf: day,
              customerIds: [snapshot.input.customer.id],
              settings: config.interest,
              baseCurrency: config.baseCurrency,
            }),
            new Set(subject.invoices.map((invoice) => invoice.invoiceId)),
            new Set(snapshot.input.disputes.filter((d) => d.status === 'open').map((d) => d.invoiceId)),
          ),
          day,
        )
      : null;
    const locale = options.locale ?? snapshot.input.customer.locale;
    const { message } = previewTemplate(catalog, {
      templateId,
      locale,
      context: withSampleDetails(templateId, { ...real, interest: interest?.context ?? null }),
      ...(options.channel && { channel: options.channel }),
    });
    const zoned = now.setZone(snapshot.input.customer.timeZone).toISO();
    const sample = usesSampleDetails(templateId) ? '; the alert, task, promise or legal-hold details are sample data' : '';
    const note = `# customer ${externalId} (${snapshot.customerName}) as of ${zoned}: ${subject.invoices.length} invoice(s) covered${sample}\n`;
    print(config, message, templateId, locale, options.out, note);
  } finally {
    await runtime.lifecycle.close();
  }
}

function check(config: Config): void {
  const catalog = loadCatalog(config);
  validateCatalog(catalog, { smsSegmentLimit: config.sms.segmentLimit, company: config.company });
  const overrides = config.templatesDir ? `, overrides from ${config.templatesDir}` : '';
  process.stdout.write(
    `OK: ${catalog.messages.size} templates render in every locale (SMS limit ${config.sms.segmentLimit} segments${overrides})\n`,
  );
}

// Shipped ids in manifest order, then any an override folder added; locales likewise.
function byManifest<T extends string>(values: Iterable<T>, order: readonly string[]): T[] {
  const rank = (value: string) => (order.includes(value) ? order.indexOf(value) : order.length);
  return [...values].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function list(config: Config): void {
  const catalog = loadCatalog(config);
  const ids = byManifest(
    catalog.messages.keys(),
    SHIPPED_TEMPLATES.map(({ id }) => id),
  );
  const rows = ids.flatMap((id) =>
    CHANNELS.map((channel) => {
      const locales = byManifest(availableLocales(catalog, id, channel), SHIPPED_LOCALES);
      const overridden = (locale: string) =>
        CHANNEL_PARTS[channel].some((part) => catalog.messages.get(id)?.get(locale)?.get(part)?.overridden);
      return [id, channel, locales.map((locale) => (overridden(locale) ? `${locale}*` : locale)).join(', ')] as const;
    }).filter(([, , locales]) => locales !== ''),
  );
  const header = ['TEMPLATE', 'CHANNEL', 'LOCALES'] as const;
  const width = (column: 0 | 1) => Math.max(...[header, ...rows].map((row) => row[column].length));
  const line = (row: readonly string[]) => `${row[0]!.padEnd(width(0))}  ${row[1]!.padEnd(width(1))}  ${row[2]}`.trimEnd();
  process.stdout.write([header, ...rows].map(line).join('\n') + '\n');
  if (rows.some(([, , locales]) => locales.includes('*'))) {
    process.stdout.write(`\n* has files from ${config.templatesDir}\n`);
  }
}

/**
 * `arrears templates preview|check|list`: config and template files only, no database or Redis,
 * except `preview --customer`, which reads that customer from the database.
 */
export function registerTemplatesCommand(program: Command, context: CommandContext): void {
  const templates = program
    .command('templates')
    .description('Review the message templates: preview one with sample data, check them all, list them.');

  templates
    .command('preview')
    .description(
      "Render a template with sample invoices (or, with --customer, that customer's real open invoices, locale and " +
        'amounts from the database) and your configured company details and overrides (TEMPLATES_DIR), to review its ' +
        'wording before enabling a policy.',
    )
    .argument('<templateId>', 'e.g. default/overdue-7 (see `arrears templates list`)')
    .option('--locale <locale>', "the customer's locale, e.g. ro or zh-TW (falls back like a real send); required without --customer")
    .option('--customer <externalId>', "render with this customer's open invoices, locale and payments, as the worker would")
    .option('--as-of <instant>', 'with --customer: ISO 8601 instant with offset to age the invoices at (default: now)', parseInstant)
    .addOption(new Option('--channel <channel>', 'default: email when the template has it').choices(CHANNELS))
    .option('--out <file>', 'write the HTML part of an email (or the printed SMS/task) to this file')
    .action(reportingTemplateErrors((templateId: string, options: PreviewOptions) => preview(context, templateId, options)));

  templates
    .command('check')
    .description(
      'Render every template in every locale and channel against sample data, with your overrides, ' +
        'company details and SMS_SEGMENT_LIMIT; print OK or every problem (exit 1).',
    )
    .action(reportingTemplateErrors(() => check(context.config())));

  templates
    .command('list')
    .description('List template ids with their channels and locales (* = overridden from TEMPLATES_DIR).')
    .action(reportingTemplateErrors(() => list(context.config())));
}
