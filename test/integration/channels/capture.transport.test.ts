import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmailTransport } from '../../../src/channels/email/create-email-transport.js';
import { emailMessageId, type OutgoingEmail } from '../../../src/channels/email/email-transport.js';
import { CaptureSmsTransport } from '../../../src/channels/sms/capture.sms-transport.js';
import { createSmsTransport } from '../../../src/channels/sms/create-sms-transport.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-capture-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const reminder: OutgoingEmail = {
  from: 'ar@acme.example',
  to: 'dana@customer.example',
  subject: 'Hatırlatma: INV-7 vadesi geçti',
  text: 'Sayın Dana, INV-7 faturanızın vadesi geçti.',
  html: '<p>Sayın Dana, <b>INV-7</b> faturanızın vadesi geçti.</p>',
  messageId: emailMessageId('case:7.step-1', 'arrears.local'),
  unsubscribe: { url: 'https://pay.acme.example/u/7' },
};

describe('capture email transport', () => {
  it('writes an .eml file named after the Message-ID that mailparser reads back', async () => {
    const transport = createEmailTransport({ kind: 'capture', dir: path.join(dir, 'mail') });
    const result = await transport.send(reminder);
    await transport.close();

    expect(result).toEqual({
      providerMessageId: '<case=3A7=2Estep-1@arrears.local>',
      provider: 'capture',
      filePath: path.join(dir, 'mail', 'case=3A7=2Estep-1@arrears.local.eml'),
    });
    const mail = await simpleParser(await readFile(result.filePath!));
    expect(mail.messageId).toBe('<case=3A7=2Estep-1@arrears.local>');
    expect(mail.subject).toBe(reminder.subject);
    expect(mail.text?.trim()).toBe(reminder.text);
    expect(mail.html).toContain('<b>INV-7</b>');
    expect(mail.headers.get('list')).toEqual({
      unsubscribe: { url: 'https://pay.acme.example/u/7' },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
    });
  });

  it('overwrites its own file when the same contact is sent again', async () => {
    const transport = createEmailTransport({ kind: 'capture', dir });
    await transport.send(reminder);
    await transport.send({ ...reminder, subject: 'second attempt' });
    expect(await readdir(dir)).toEqual(['case=3A7=2Estep-1@arrears.local.eml']);
  });
});

describe('capture SMS transport', () => {
  it('appends JSON lines and finds a message sent before', async () => {
    const transport = createSmsTransport({ kind: 'capture', dir, from: '+15005550006' });
    const before = new Date(Date.now() - 1_000);
    const first = await transport.send({ to: '+40712345678', body: 'INV-7 is overdue', statusCallbackUrl: 'http://localhost/cb' });
    await transport.send({ to: '+40712345678', body: 'another reminder' });

    const lines = await new CaptureSmsTransport({ kind: 'capture', dir }).readAll();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      providerMessageId: first.providerMessageId,
      to: '+40712345678',
      from: '+15005550006',
      body: 'INV-7 is overdue',
      statusCallbackUrl: 'http://localhost/cb',
    });

    expect(await transport.findRecent({ to: '+40712345678', sentAfter: before, body: 'INV-7 is overdue' })).toEqual(first);
    expect(await transport.findRecent({ to: '+40712345678', sentAfter: new Date(Date.now() + 60_000) })).toBeUndefined();
    expect(await transport.findRecent({ to: '+40700000000', sentAfter: before })).toBeUndefined();
  });

  it('finds nothing before anything was captured', async () => {
    const transport = createSmsTransport({ kind: 'capture', dir: path.join(dir, 'empty') });
    expect(await transport.findRecent({ to: '+40712345678', sentAfter: new Date(0) })).toBeUndefined();
  });
});
