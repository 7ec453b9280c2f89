import { createServer, type Socket } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailTransport } from '../../../src/channels/email/create-email-transport.js';
import { emailMessageId, type EmailTransport, type OutgoingEmail } from '../../../src/channels/email/email-transport.js';
import { SmtpSink } from '../../support/smtp-sink.js';
import { deliveryFailure } from './delivery-failure.js';

function aReminder(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    from: 'Acme Receivables <ar@acme.example>',
    to: 'Dana Buyer <dana@customer.example>',
    replyTo: 'collections@acme.example',
    subject: 'Invoice INV-1001 is 15 days overdue',
    text: 'Dear Dana,\nInvoice INV-1001 for €1,250.00 is 15 days overdue.',
    html: '<p>Dear Dana,</p><p>Invoice <b>INV-1001</b> for €1,250.00 is 15 days overdue.</p>',
    messageId: emailMessageId('contact-1001-step-2', 'arrears.local'),
    unsubscribe: { url: 'https://pay.acme.example/unsubscribe/tok123', mailto: 'unsubscribe@acme.example?subject=tok123' },
    headers: { 'X-Arrears-Contact': 'contact-1001' },
    ...overrides,
  };
}

describe('SMTP transport against a real SMTP server', () => {
  let sink: SmtpSink;
  let transport: EmailTransport;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    transport = createEmailTransport(sink.settings());
  });
  afterEach(() => {
    sink.faults.clear();
    sink.messages.length = 0;
  });
  afterAll(async () => {
    await transport.close();
    await sink.close();
  });

  it('delivers text and HTML with the deterministic Message-ID and unsubscribe headers', async () => {
    const result = await transport.send(aReminder());
    expect(result).toEqual({ providerMessageId: '<contact-1001-step-2@arrears.local>', provider: 'smtp' });

    const [received] = await sink.waitFor(1);
    const mail = received!.parsed;
    expect(received!.envelope).toEqual({ from: 'ar@acme.example', to: ['dana@customer.example'] });
    expect(mail.messageId).toBe('<contact-1001-step-2@arrears.local>');
    expect(mail.subject).toBe('Invoice INV-1001 is 15 days overdue');
    expect(mail.text).toContain('€1,250.00 is 15 days overdue');
    expect(mail.html).toContain('<b>INV-1001</b>');
    expect(mail.replyTo?.text).toBe('collections@acme.example');
    expect(mail.headers.get('x-arrears-contact')).toBe('contact-1001');
    expect(mail.headers.get('list')).toEqual({
      unsubscribe: { url: 'https://pay.acme.example/unsubscribe/tok123', mail: 'unsubscribe@acme.example?subject=tok123' },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
    });
    expect(received!.raw.toString()).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
  });

  it('sends a resend with the same Message-ID, so the copy is recognisable', async () => {
    await transport.send(aReminder());
    await transport.send(aReminder());
    const received = await sink.waitFor(2);
    expect(new Set(received.map((r) => r.parsed.messageId))).toEqual(new Set(['<contact-1001-step-2@arrears.local>']));
  });

  it('reports a 451 as transient, and the next attempt goes through', async () => {
    sink.faults.set({ code: 451, message: 'Try again later' }, 1);
    const error = await deliveryFailure(transport.send(aReminder()));
    expect(error).toMatchObject({ kind: 'transient', providerCode: '451', maybeSent: false });
    expect(error.message).toContain('Try again later');

    await transport.send(aReminder());
    expect(await sink.waitFor(1)).toHaveLength(1);
  });

  it('reports a 550 as a permanent hard bounce', async () => {
    sink.faults.set({ code: 550, message: 'No such user here' });
    const error = await deliveryFailure(transport.send(aReminder()));
    expect(error).toMatchObject({ kind: 'permanent', providerCode: '550', reason: 'mailbox unavailable (hard bounce)' });
    expect(sink.messages).toHaveLength(0);
  });

  it('reports a connection dropped during DATA as transient and possibly sent', async () => {
    sink.faults.set('drop', 1);
    const error = await deliveryFailure(transport.send(aReminder()));
    expect(error).toMatchObject({ kind: 'transient', maybeSent: true });
  });

  it('reports a server that refuses connections as transient and not sent', async () => {
    const gone = await SmtpSink.start();
    const settings = gone.settings();
    await gone.close();
    const orphan = createEmailTransport(settings);
    try {
      expect(await deliveryFailure(orphan.send(aReminder()))).toMatchObject({
        kind: 'transient',
        providerCode: 'ECONNREFUSED',
        maybeSent: false,
      });
    } finally {
      await orphan.close();
    }
  });

  it('logs in, and treats a refused login as our configuration rather than the recipient', async () => {
    const guarded = await SmtpSink.start({ user: 'arrears', pass: 'right' });
    const good = createEmailTransport(guarded.settings({ auth: { user: 'arrears', pass: 'right' } }));
    const bad = createEmailTransport(guarded.settings({ auth: { user: 'arrears', pass: 'wrong' } }));
    try {
      await good.send(aReminder());
      expect(await guarded.waitFor(1)).toHaveLength(1);
      expect(await deliveryFailure(bad.send(aReminder()))).toMatchObject({ kind: 'transient', providerCode: '535' });
    } finally {
      await Promise.all([good.close(), bad.close()]);
      await guarded.close();
    }
  });

  it('fails the messages of an SMTP thread that stops as transient and possibly sent, and starts a new thread for the next', async () => {
    // A server that accepts connections and never greets: the sends wait in the thread.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const transport = createEmailTransport({ kind: 'smtp', host: '127.0.0.1', port, secure: false, connectionTimeoutMs: 1_000 });
    try {
      const sends = [1, 2, 3].map((i) =>
        deliveryFailure(transport.send(aReminder({ messageId: emailMessageId(`stop-${i}`, 'a.example') }))),
      );
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      // A crash as the transport sees it: 'error', then later 'exit' (white box: the thread is private).
      const crashed = (transport as unknown as { current: { thread: Worker } }).current.thread;
      crashed.emit('error', new Error('simulated crash'));
      for (const error of await Promise.all(sends)) {
        expect(error).toMatchObject({ kind: 'transient', maybeSent: true });
        expect(error.message).toMatch(/SMTP thread stopped \(simulated crash\)/);
      }
      // The next send goes to a new thread, and the old one's 'exit' does not fail it: it is answered
      // by the server's silence (the greeting timeout), not by the old thread's end.
      const next = deliveryFailure(transport.send(aReminder()));
      await crashed.terminate();
      const error = await next;
      expect(error).toMatchObject({ kind: 'transient' });
      expect(error.message).not.toMatch(/SMTP thread stopped/);
    } finally {
      await transport.close();
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
