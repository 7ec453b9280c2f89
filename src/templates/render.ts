import { join } from 'node:path';
import type { TemplateCatalog, TemplateFile } from './catalog.js';
import type { Channel, ContextFor, ReminderContext } from './context.js';
import { formattingLocale, pickLocale } from './locale.js';
import { CHANNEL_PARTS, isHtmlPart, type TemplatePart } from './manifest.js';
import { countSmsSegments, type SmsEncoding } from './sms-segments.js';
import { TemplateError } from './template-error.js';

/** What to render. `locale` is the recipient's preference; the fallback picks the template's. */
export interface RenderRequest<Id extends string = string, C extends Channel = Channel> {
  templateId: Id;
  channel: C;
  locale: string;
  context: ContextFor<Id>;
}

/** A rendered email: one subject line, an HTML part and a plain-text part. */
export interface RenderedEmail {
  channel: 'email';
  /** The template locale used after fallback. */
  locale: string;
  subject: string;
  html: string;
  text: string;
}

/** A rendered SMS body with its size as the carrier counts it. */
export interface RenderedSms {
  channel: 'sms';
  locale: string;
  body: string;
  segments: number;
  encoding: SmsEncoding;
}

/** A collector's call task. */
export interface RenderedTask {
  channel: 'task';
  locale: string;
  title: string;
  body: string;
}

/** Any rendered message. */
export type RenderedMessage = RenderedEmail | RenderedSms | RenderedTask;

/** The result type for a channel. */
export type RenderedFor<C extends Channel> = Extract<RenderedMessage, { channel: C }>;

/** The locales a template has complete files for in a channel. */
export function availableLocales(catalog: TemplateCatalog, templateId: string, channel: Channel): string[] {
  const byLocale = catalog.messages.get(templateId);
  if (!byLocale) return [];
  return [...byLocale].filter(([, parts]) => CHANNEL_PARTS[channel].every((part) => parts.has(part))).map(([locale]) => locale);
}

// Blank lines left by partials and conditionals are noise in a text part.
function tidyText(text: string): string {
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// Intl puts no-break spaces into amounts ("1.234,50 RON"); any of them would force UCS-2.
function tidySms(text: string): string {
  return tidyText(text.replace(/[\u00A0\u2007\u202F]/g, ' '));
}

function tidySubject(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Renders one file of an already chosen locale; the building block of `renderMessage`. */
export function renderFile(
  catalog: TemplateCatalog,
  file: TemplateFile,
  part: TemplatePart,
  templateLocale: string,
  requestedLocale: string,
  context: ReminderContext,
): string {
  const data = {
    locale: formattingLocale(requestedLocale, templateLocale),
    timeZone: context.customer.timeZone,
    now: context.now,
  };
  // An absent link becomes null and absent lists empty, so strict mode lets templates test and
  // read them ({{#if}}, {{received.length}}) whoever built the context.
  const view = {
    ...context,
    unsubscribeUrl: context.unsubscribeUrl ?? null,
    upcoming: context.upcoming ?? [],
    received: context.received ?? [],
    creditHoldAlreadyPlaced: context.creditHoldAlreadyPlaced ?? false,
    interest: context.interest ?? null,
  };
  const partials = catalog.partials(templateLocale, isHtmlPart(part) ? 'html' : 'text');
  return file.render(view, data, partials);
}

/**
 * Renders a template for a channel in the best locale for the recipient. Throws a
 * `TemplateError` naming the file when the template, channel or a variable is missing.
 */
export function renderMessage<Id extends string, C extends Channel>(
  catalog: TemplateCatalog,
  request: RenderRequest<Id, C>,
): RenderedFor<C> {
  const { templateId, channel, context } = request;
  const locales = availableLocales(catalog, templateId, channel);
  if (locales.length === 0) {
    throw new TemplateError(join(catalog.shippedDir, 'messages', templateId), `no ${channel} template "${templateId}" in any locale`);
  }
  const locale = pickLocale(request.locale, locales);
  const parts = catalog.messages.get(templateId)!.get(locale)!;
  const render = (part: TemplatePart) => renderFile(catalog, parts.get(part)!, part, locale, request.locale, context);
  const rendered = renderChannel(channel, render, locale);
  return rendered as RenderedFor<C>;
}

function renderChannel(channel: Channel, render: (part: TemplatePart) => string, locale: string): RenderedMessage {
  switch (channel) {
    case 'email':
      return {
        channel,
        locale,
        subject: tidySubject(render('email.subject')),
        html: render('email.html').trim(),
        text: tidyText(render('email.text')),
      };
    case 'sms': {
      const body = tidySms(render('sms'));
      const { segments, encoding } = countSmsSegments(body);
      return { channel, locale, body, segments, encoding };
    }
    case 'task':
      return { channel, locale, title: tidySubject(render('task.title')), body: tidyText(render('task.body')) };
  }
}
