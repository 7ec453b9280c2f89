import { describe, expect, it } from 'vitest';
import { smsKeyword } from '../../../src/consent/sms-keywords.js';
import { messagingTwiml } from '../../../src/http/webhooks/twilio.routes.js';

describe('inbound SMS keywords', () => {
  it.each([
    ['STOP', 'stop'],
    ['  stop \n', 'stop'],
    ['Stop.', 'stop'],
    ['StopAll', 'stop'],
    ['unsubscribe', 'stop'],
    ['CANCEL', 'stop'],
    ['end', 'stop'],
    ['Quit', 'stop'],
    ['iptal', 'stop'],
    ['İPTAL', 'stop'],
    ['dezabonare', 'stop'],
    ['退订', 'stop'],
    ['START', 'start'],
    ['unstop', 'start'],
    ['Yes', 'start'],
    ['help', 'help'],
    ['INFO', 'help'],
    ['ajutor', 'help'],
    ['帮助', 'help'],
  ] as const)('%j is %s', (body, keyword) => {
    expect(smsKeyword(body)).toBe(keyword);
  });

  it.each(['please stop texting me', 'STOP IT', 'I will pay on Friday', '', 'stopp'])('%j is not a keyword', (body) => {
    expect(smsKeyword(body)).toBeNull();
  });
});

describe('TwiML replies', () => {
  it('answers with one escaped message, or an empty response', () => {
    expect(messagingTwiml('A & B: reply <STOP>')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>A &amp; B: reply &lt;STOP&gt;</Message></Response>',
    );
    expect(messagingTwiml(null)).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});
