import type { Channel } from './context.js';
import { BASE_LOCALE, SHIPPED_LOCALES } from './locale.js';

/** One file of a template: `<part>.hbs` under `messages/<templateId>/<locale>/`. */
export type TemplatePart = 'email.subject' | 'email.html' | 'email.text' | 'sms' | 'task.title' | 'task.body';

/** The files a channel needs, all of them, in one locale. */
export const CHANNEL_PARTS: Readonly<Record<Channel, readonly TemplatePart[]>> = {
  email: ['email.subject', 'email.html', 'email.text'],
  sms: ['sms'],
  task: ['task.title', 'task.body'],
};

/** Parts whose output is HTML and therefore escaped; every other part is plain text. */
export function isHtmlPart(part: TemplatePart): boolean {
  return part === 'email.html';
}

/** A template the product ships and validation insists on, in every listed locale. */
export interface ShippedTemplate {
  id: string;
  channels: readonly Channel[];
  locales: readonly string[];
}

const ALL = SHIPPED_LOCALES;
// Read by our own managers and collectors, whose working language is English.
const STAFF = [BASE_LOCALE];

function shipped(id: string, channels: readonly Channel[], locales: readonly string[] = ALL): ShippedTemplate {
  return { id, channels, locales };
}

/** Every shipped template id with its channels and locales; the dunning policies refer to these. */
export const SHIPPED_TEMPLATES: readonly ShippedTemplate[] = [
  shipped('default/courtesy', ['email']),
  shipped('default/overdue-1', ['email']),
  shipped('default/overdue-7', ['email', 'sms']),
  shipped('default/overdue-14', ['email']),
  shipped('default/firm-30', ['email', 'sms']),
  shipped('default/credit-hold-45', ['email']),
  shipped('default/final-notice-60', ['email', 'sms']),
  shipped('default/legal-hold-90', ['email']),
  shipped('key-account/courtesy', ['email']),
  shipped('key-account/overdue-3', ['email']),
  shipped('key-account/overdue-15', ['email']),
  shipped('key-account/overdue-30', ['email']),
  shipped('key-account/overdue-60', ['email']),
  shipped('key-account/final-notice-90', ['email']),
  shipped('payment-plan/instalment-upcoming', ['email']),
  shipped('payment-plan/instalment-missed', ['email']),
  shipped('promise-confirmation', ['email', 'sms']),
  shipped('statement-of-account', ['email']),
  shipped('manager-alert', ['email'], STAFF),
  shipped('call-task', ['task'], STAFF),
  shipped('legal-hold-notice', ['email'], STAFF),
];
