// The transports and nothing else (see transports-baseline.ts): reads a TransportsJob from the
// file named on the command line, sends every message — email through one pooled nodemailer
// transport, SMS through the official twilio client — with at most the worker's concurrency in
// flight per channel, both channels at once, and prints one JSON line of TransportsResult.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import twilio from 'twilio';
import { emailMessageId } from '../../src/channels/email/email-transport.js';
import { toMailOptions } from '../../src/channels/email/mail-options.js';
import { BaseUrlRequestClient } from '../../src/channels/sms/base-url-request-client.js';
import type { RenderedReminder, TransportsJob, TransportsResult } from './transports-baseline.js';

const job = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as TransportsJob;

const mailer = nodemailer.createTransport({
  pool: true,
  host: job.smtp.host,
  port: job.smtp.port,
  secure: false,
  maxConnections: job.smtp.maxConnections,
});
const httpClient = new BaseUrlRequestClient({ baseUrl: job.twilio.baseUrl });
const sms = twilio(job.twilio.accountSid, job.twilio.authToken, { httpClient, autoRetry: false });

/** Runs `send` over `items` with at most `limit` in flight. */
async function inParallel(items: RenderedReminder[], limit: number, send: (item: RenderedReminder) => Promise<unknown>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await send(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

const emails = job.messages.filter((m) => m.channel === 'email');
const texts = job.messages.filter((m) => m.channel === 'sms');
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all([
  inParallel(emails, job.emailConcurrency, (m) =>
    mailer.sendMail(
      toMailOptions({
        from: job.emailFrom,
        to: m.to,
        subject: m.subject ?? '',
        text: m.text,
        html: m.html ?? '',
        messageId: emailMessageId(m.idempotencyKey, job.emailFrom),
        unsubscribe: { mailto: job.unsubscribeMailto },
        headers: { 'X-Arrears-Contact': m.idempotencyKey },
      }),
    ),
  ),
  inParallel(texts, job.smsConcurrency, (m) => sms.messages.create({ to: m.to, body: m.text, from: job.twilio.from })),
]);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
mailer.close();
httpClient.destroy();
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
const result: TransportsResult = {
  seconds,
  emails: emails.length,
  sms: texts.length,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  rssMb: hwm ? Number(hwm) / 1024 : 0,
};
console.log(JSON.stringify(result));
