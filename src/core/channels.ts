import type { Consent } from './domain.js';
import type { PolicyAction } from './policy.js';

/** Whether an action can reach the customer, and through which action when it falls back. */
export type ChannelResolution = { ok: true; action: PolicyAction } | { ok: false; detail: string };

/** Email only while the customer has an address and has not opted out. */
export function emailAvailable(consent: Consent): boolean {
  return consent.hasEmail && !consent.emailOptedOut;
}

/** SMS only with consent and a mobile number. */
export function smsAvailable(consent: Consent): boolean {
  return consent.hasMobile && consent.smsConsent;
}

function emailProblem(consent: Consent): string {
  return consent.hasEmail ? 'customer opted out of email' : 'customer has no email address';
}

function smsProblem(consent: Consent): string {
  return consent.hasMobile ? 'customer has not consented to SMS' : 'customer has no mobile number';
}

/**
 * The action as it can be delivered: unchanged, an SMS turned into an email by the policy's
 * fallback, or not at all. Internal actions (holds, alerts, call tasks) always resolve.
 */
export function resolveChannel(action: PolicyAction, consent: Consent): ChannelResolution {
  if (action.type === 'email') {
    return emailAvailable(consent) ? { ok: true, action } : { ok: false, detail: emailProblem(consent) };
  }
  if (action.type !== 'sms' || smsAvailable(consent)) return { ok: true, action };
  if (action.fallback === 'email' && emailAvailable(consent)) {
    return { ok: true, action: { type: 'email', template: action.template } };
  }
  const fallback = action.fallback === 'email' ? `; email fallback unavailable: ${emailProblem(consent)}` : '';
  return { ok: false, detail: `${smsProblem(consent)}${fallback}` };
}
