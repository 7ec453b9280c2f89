import { replyDependencies } from '../../../src/app/services.js';
import { receiveEmail } from '../../../src/replies/receive.js';
import type { TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';

/**
 * A small ledger that looks like the demo's: several currencies and scripts, long names, a
 * message with its delivery history, a logged call, call tasks (due today and overdue), an open
 * promise, a legal hold, open alerts and late-payment interest (a contractual rate, a waiver). The pages in pages.ts show this data; extend it when a
 * page needs more. `now` is the app's clock; dates are relative to it so pages stay "current".
 */
export async function seedConsole(t: TestHttpApp, now: Date): Promise<Map<string, string>> {
  const prisma = t.runtime.prisma;
  const day = (offset: number) => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const ids = await seedLedger(t.runtime.prisma, [
    {
      externalId: 'ACME-7',
      name: 'Acme Distribution SRL',
      invoices: [
        { number: 'F-1001', amountMinor: 1_250_00, issuedOn: day(-95), dueOn: day(-65) },
        { number: 'F-1002', amountMinor: 830_40, issuedOn: day(-40), dueOn: day(-10) },
      ],
    },
    {
      externalId: 'BETA-2',
      name: 'Beta Foods SRL',
      invoices: [{ number: 'B-77', amountMinor: 99_00, issuedOn: day(-40), dueOn: day(-10) }],
    },
    {
      externalId: 'US-HARBOR-0042',
      name: 'Harbor Industrial Packaging & Logistics Supply Company of Northern California',
      currency: 'USD',
      locale: 'en',
      timeZone: 'America/Los_Angeles',
      mobile: '+14155550142',
      smsConsent: true,
      invoices: [
        { number: 'INV-2026-000123', amountMinor: 14_412_00, issuedOn: day(-150), dueOn: day(-120) },
        { number: 'INV-2026-000456', amountMinor: 2_100_50, issuedOn: day(-70), dueOn: day(-40) },
      ],
    },
    {
      externalId: 'CN-HUAXING-8',
      name: '华兴贸易有限公司',
      currency: 'CNY',
      locale: 'zh-CN',
      timeZone: 'Asia/Shanghai',
      invoices: [{ number: 'HX-88', amountMinor: 56_000_00, issuedOn: day(-60), dueOn: day(-30) }],
    },
    {
      externalId: 'TR-ANADOLU-3',
      name: 'Anadolu Ticaret A.Ş.',
      currency: 'TRY',
      locale: 'tr',
      timeZone: 'Europe/Istanbul',
      invoices: [{ number: 'AN-3001', amountMinor: 30_625_00, issuedOn: day(-50), dueOn: day(-20) }],
    },
  ]);
  const acme = ids.get('ACME-7')!;
  const harbor = ids.get('US-HARBOR-0042')!;
  const anadolu = ids.get('TR-ANADOLU-3')!;
  await prisma.customer.updateMany({ where: { id: { in: [acme, anadolu] } }, data: { assignedCollectorId: t.users.collector.id } });
  // Late-payment interest on the customer page and in the case file: a contractual rate, one claim waived.
  await prisma.customer.update({ where: { id: acme }, data: { interestContractRateBp: 900 } });
  const waivedInvoice = await prisma.invoice.findFirstOrThrow({ where: { customerId: acme, number: 'F-1002' } });
  await prisma.interestWaiver.create({
    data: { invoiceId: waivedInvoice.id, waivedBy: t.users.manager.id, reason: 'Goodwill: the delivery was late', waivedAt: now },
  });

  await prisma.contact.create({
    data: {
      customerId: acme,
      channel: 'email',
      status: 'delivered',
      subject: 'Reminder: invoice F-1001 is overdue',
      bodyText: 'Hello, invoice F-1001 for 1,250.00 RON is now overdue. Please pay at https://pay.example.com/acme-7/f-1001?ref=reminder.',
      recipient: 'acme-7@example.com',
      idempotencyKey: 'seed-email-1',
      statusEvents: { create: [{ status: 'queued' }, { status: 'sent' }, { status: 'delivered' }] },
    },
  });
  await prisma.contact.create({
    data: {
      customerId: acme,
      channel: 'call',
      direction: 'outbound',
      status: 'logged',
      outcome: 'promised',
      actor: t.users.collector.id,
      notes: 'Spoke to the accountant; will pay F-1001 next week.',
      idempotencyKey: 'seed-call-1',
    },
  });
  await prisma.promiseToPay.create({
    data: {
      customerId: acme,
      amountMinor: 1_250_00n,
      currency: 'RON',
      promisedOn: new Date(`${day(7)}T00:00:00Z`),
      createdBy: t.users.collector.id,
    },
  });
  await prisma.callTask.createMany({
    data: [
      { customerId: acme, assignedToId: t.users.collector.id, dueAt: now, stepId: 'call-1', idempotencyKey: 'seed-task-1' },
      {
        customerId: anadolu,
        assignedToId: t.users.collector.id,
        dueAt: new Date(now.getTime() - 3 * 86_400_000),
        stepId: 'call-1',
        idempotencyKey: 'seed-task-2',
      },
    ],
  });
  await prisma.legalHold.create({ data: { customerId: harbor, reason: 'Handed to Lex & Co', placedBy: t.users.manager.id } });
  await prisma.collectionCase.update({ where: { customerId: harbor }, data: { state: 'legal_hold' } });
  await prisma.managerAlert.createMany({
    data: [
      { kind: 'legal_hold', customerId: harbor, message: 'Legal hold placed: Handed to Lex & Co', raisedAt: now, lastRaisedAt: now },
      {
        kind: 'channels_failing',
        customerId: anadolu,
        message: 'Every email address and phone number is bounced or invalid',
        raisedAt: now,
        lastRaisedAt: now,
      },
    ],
  });
  // Replies through the real reply path: a promise from ACME-7 (matched on its address), a
  // question from BETA-2, and one from a stranger nobody can match.
  const replies = await replyDependencies(t.runtime);
  const mail = (from: string, subject: string, text: string) =>
    Buffer.from(
      [
        `From: ${from}`,
        'To: ar@example.com',
        `Subject: ${subject}`,
        `Message-ID: <seed-${subject.length}-${from.length}@mail.example>`,
        `Date: ${now.toUTCString()}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        text,
        '',
      ].join('\r\n'),
    );
  for (const raw of [
    mail('Ana Pop <acme-7@example.com>', 'Re: Invoice F-1001', `We will pay on ${day(10)}. Sorry for the delay.`),
    mail(
      'beta-2@example.com',
      'Re: Your invoice',
      'Who should I call about invoice B-77? https://example.com/averyveryverylongunbrokenlinkthatmustwrapinsidethepage',
    ),
    mail('someone@unknown.example', 'Question', 'Is this about our account? We changed our company name last year.'),
  ]) {
    await receiveEmail(replies, { raw, source: 'cli', sourceRef: null });
  }
  return ids;
}
