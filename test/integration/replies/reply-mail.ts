import type { SmtpSink } from '../../support/smtp-sink.js';

/** A reply as a mail client writes it (plain text, or multipart with HTML), as raw MIME. */
export function replyEml(options: {
  from: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  text: string;
  html?: string;
  date?: string;
  headers?: Record<string, string>;
  attachment?: { filename: string; contentType: string; content: Buffer };
}): Buffer {
  const head = [
    `From: Customer <${options.from}>`,
    'To: Accounts Receivable <ar@example.com>',
    `Subject: ${options.subject ?? 'Re: Your invoice'}`,
    `Date: ${options.date ?? 'Mon, 09 Mar 2026 10:15:00 +0200'}`,
    ...(options.messageId === null
      ? []
      : [`Message-ID: ${options.messageId ?? `<${Math.random().toString(36).slice(2)}@mail.customer.example>`}`]),
    ...(options.inReplyTo ? [`In-Reply-To: ${options.inReplyTo}`] : []),
    ...(options.references ? [`References: ${options.references.join('\r\n ')}`] : []),
    ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    'MIME-Version: 1.0',
  ];
  if (!options.html && !options.attachment) {
    return Buffer.from(
      [...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', options.text, ''].join('\r\n'),
    );
  }
  const boundary = '----=_Part_0_reply';
  const parts = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.text,
    ...(options.html ? [`--${boundary}`, 'Content-Type: text/html; charset=utf-8', '', options.html] : []),
    ...(options.attachment
      ? [
          `--${boundary}`,
          `Content-Type: ${options.attachment.contentType}; name="${options.attachment.filename}"`,
          `Content-Disposition: attachment; filename="${options.attachment.filename}"`,
          'Content-Transfer-Encoding: base64',
          '',
          options.attachment.content.toString('base64').replace(/.{76}/g, '$&\r\n'),
        ]
      : []),
    `--${boundary}--`,
    '',
  ];
  const type = options.attachment ? 'multipart/mixed' : 'multipart/alternative';
  return Buffer.from([...head, `Content-Type: ${type}; boundary="${boundary}"`, '', ...parts].join('\r\n'));
}

/** The Message-ID of the email the sink received for `recipient`. */
export function sentMessageId(sink: SmtpSink, recipient: string): string {
  const mail = sink.messages.find((m) => m.envelope.to.includes(recipient));
  if (!mail) throw new Error(`no email reached ${recipient}`);
  const headers = mail.raw
    .toString('utf8')
    .split(/\r?\n\r?\n/)[0]!
    .replace(/\r?\n[ \t]+/g, ' ');
  const id = /^Message-ID:\s*(<[^>]+>)/im.exec(headers)?.[1];
  if (!id) throw new Error(`the email to ${recipient} has no Message-ID`);
  return id;
}

/** A Postfix delivery status notification for `messageId` sent to `recipient` (permanent: 5.1.1). */
export function postfixBounce(recipient: string, messageId: string, status = '5.1.1'): Buffer {
  const boundary = '4Gx7Yq2K1vz9sWR.1733472843/mx1.acme.example';
  return Buffer.from(
    [
      'Return-Path: <>',
      'Date: Mon,  9 Mar 2026 08:14:03 +0000 (UTC)',
      'From: MAILER-DAEMON@mx1.acme.example (Mail Delivery System)',
      'Subject: Undelivered Mail Returned to Sender',
      'To: ar@example.com',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"`,
      `Message-Id: <20260309081403.${status}.${recipient}@mx1.acme.example>`,
      '',
      'This is a MIME-encapsulated message.',
      '',
      `--${boundary}`,
      'Content-Description: Notification',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'This is the mail system at host mx1.acme.example.',
      '',
      "I'm sorry to have to inform you that your message could not",
      'be delivered to one or more recipients.',
      '',
      `<${recipient}>: host mx.gone.example[203.0.113.25] said: 550 ${status} User unknown`,
      '',
      `--${boundary}`,
      'Content-Description: Delivery report',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx1.acme.example',
      '',
      `Final-Recipient: rfc822; ${recipient}`,
      `Action: ${status.startsWith('5') ? 'failed' : 'delayed'}`,
      `Status: ${status}`,
      `Diagnostic-Code: smtp; 550 ${status} <${recipient}>: Recipient address rejected`,
      '',
      `--${boundary}`,
      'Content-Description: Undelivered Message Headers',
      'Content-Type: text/rfc822-headers',
      '',
      'From: Accounts Receivable <ar@example.com>',
      `To: ${recipient}`,
      'Subject: Invoice overdue',
      `Message-ID: ${messageId}`,
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}
