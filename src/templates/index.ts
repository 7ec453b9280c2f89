/**
 * Templates of every message Arrears sends: load and compile once (`createTemplateCatalog`),
 * prove they render (`validateCatalog`), then `renderMessage` per send and `previewTemplate` for
 * the CLI.
 */
export { createTemplateCatalog, SHIPPED_TEMPLATE_DIR } from './catalog.js';
export type { CatalogOptions, TemplateCatalog, TemplateFile } from './catalog.js';
export type * from './context.js';
export { formatDate, formatDateTime, relativeDays } from './dates.js';
export { BASE_LOCALE, SHIPPED_LOCALES, formattingLocale, pickLocale } from './locale.js';
export { CHANNEL_PARTS, SHIPPED_TEMPLATES } from './manifest.js';
export type { ShippedTemplate, TemplatePart } from './manifest.js';
export { pluralPhrase } from './plural.js';
export { previewTemplate } from './preview.js';
export type { Preview, PreviewRequest } from './preview.js';
export { availableLocales, renderMessage } from './render.js';
export type { RenderedEmail, RenderedFor, RenderedMessage, RenderedSms, RenderedTask, RenderRequest } from './render.js';
export { SAMPLE_INTEREST, sampleContext, sampleVariants, usesSampleDetails, withSampleDetails } from './sample-context.js';
export { countSmsSegments } from './sms-segments.js';
export type { SmsEncoding, SmsSize } from './sms-segments.js';
export { TemplateError } from './template-error.js';
export { DEFAULT_SMS_SEGMENT_LIMIT, TemplateValidationError, validateCatalog } from './validate.js';
export type { TemplateProblem, ValidationOptions } from './validate.js';
