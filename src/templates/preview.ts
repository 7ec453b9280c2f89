import type { TemplateCatalog } from './catalog.js';
import type { Channel, ContextFor } from './context.js';
import { availableLocales, renderMessage, type RenderedMessage } from './render.js';
import { sampleContext } from './sample-context.js';
import { TemplateError } from './template-error.js';

/** What `arrears templates preview` asks for. */
export interface PreviewRequest<Id extends string = string> {
  templateId: Id;
  locale: string;
  /** Default: email when the template has it, else the first channel it has. */
  channel?: Channel;
  /** Real data for a customer; default the sample context in `locale`. */
  context?: ContextFor<Id>;
}

/** A preview: the rendered message and the same as printable text. */
export interface Preview {
  message: RenderedMessage;
  printable: string;
}

const CHANNEL_ORDER: readonly Channel[] = ['email', 'sms', 'task'];

function printable(message: RenderedMessage): string {
  const header = `# channel: ${message.channel}, locale: ${message.locale}`;
  switch (message.channel) {
    case 'email':
      return `${header}\nSubject: ${message.subject}\n\n--- text ---\n${message.text}\n\n--- html ---\n${message.html}\n`;
    case 'sms':
      return `${header}, ${message.segments} segment(s), ${message.encoding}\n\n${message.body}\n`;
    case 'task':
      return `${header}\nTitle: ${message.title}\n\n${message.body}\n`;
  }
}

/**
 * Renders a template with sample or given data for review before a policy is enabled. Throws a
 * `TemplateError` when the template has no such channel.
 */
export function previewTemplate<Id extends string>(catalog: TemplateCatalog, request: PreviewRequest<Id>): Preview {
  const { templateId, locale } = request;
  const channel = request.channel ?? CHANNEL_ORDER.find((candidate) => availableLocales(catalog, templateId, candidate).length > 0);
  if (!channel) throw new TemplateError(templateId, `no template "${templateId}"`);
  const context = request.context ?? sampleContext(templateId, { locale });
  const message = renderMessage(catalog, { templateId, channel, locale, context });
  return { message, printable: printable(message) };
}
