import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailTransport } from '../../../src/channels/email/create-email-transport.js';
import { emailMessageId } from '../../../src/channels/email/email-transport.js';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { SmtpSink } from '../../support/smtp-sink.js';

// Sender identity: with EMAIL_DKIM_* set, every email leaves signed. Sent over real SMTP to the
// local sink and verified by mailauth (an independent DKIM verifier) against the public key a
// DNS TXT record would publish, answered here by a resolver instead of DNS.
describe('DKIM signing', () => {
  let sink: SmtpSink;
  let dir: string;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const txt = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  const resolver = async (name: string, type: string) => {
    if (type === 'TXT' && name === 'arrears2026._domainkey.acme.example') return [[txt]];
    throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' });
  };

  beforeAll(async () => {
    sink = await SmtpSink.start();
    dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-dkim-'));
    await writeFile(path.join(dir, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  });
  afterAll(async () => {
    await sink?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>) => {
    const smtp = sink.settings();
    return { EMAIL_TRANSPORT: 'smtp', SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port), ARREARS_DATA_DIR: dir, ...extra };
  };

  it('signs what it sends; the signature verifies, and fails once the body is changed', async () => {
    const config = loadConfig(
      env({ EMAIL_DKIM_DOMAIN: 'acme.example', EMAIL_DKIM_SELECTOR: 'arrears2026', EMAIL_DKIM_PRIVATE_KEY_FILE: 'dkim.pem' }),
      '/',
    );
    const transport = createEmailTransport(config.email.transport);
    try {
      await transport.send({
        from: 'Acme Receivables <ar@acme.example>',
        to: 'dana@customer.example',
        subject: 'Invoice INV-1001 is 15 days overdue',
        text: 'Invoice INV-1001 for €1,250.00 is 15 days overdue.',
        html: '<p>Invoice <b>INV-1001</b> for €1,250.00 is 15 days overdue.</p>',
        messageId: emailMessageId('contact-1001-step-2', 'ar@acme.example'),
      });
    } finally {
      await transport.close();
    }
    const [received] = await sink.waitFor(1);
    const raw = received!.raw;
    expect(raw.toString('utf8')).toMatch(/^DKIM-Signature: .*d=acme\.example/m);
    const verified = await dkimVerify(raw, { resolver });
    expect(verified.results.map((r) => [r.status.result, r.signingDomain, r.selector])).toEqual([['pass', 'acme.example', 'arrears2026']]);

    const tampered = Buffer.from(raw.toString('utf8').replace('15 days overdue.', '16 days overdue.'));
    expect((await dkimVerify(tampered, { resolver })).results[0]?.status.result).not.toBe('pass');
  });

  it('refuses to start when the key file is unreadable, naming the setting', () => {
    const config = loadConfig(
      env({ EMAIL_DKIM_DOMAIN: 'acme.example', EMAIL_DKIM_SELECTOR: 'arrears2026', EMAIL_DKIM_PRIVATE_KEY_FILE: 'missing.pem' }),
      '/',
    );
    expect(() => createEmailTransport(config.email.transport)).toThrow(ConfigError);
    expect(() => createEmailTransport(config.email.transport)).toThrow(/EMAIL_DKIM_PRIVATE_KEY_FILE/);
  });

  it('wants all three EMAIL_DKIM_* or none', () => {
    expect(() => loadConfig(env({ EMAIL_DKIM_DOMAIN: 'acme.example' }), '/')).toThrow(/EMAIL_DKIM_SELECTOR: is required/);
  });
});
