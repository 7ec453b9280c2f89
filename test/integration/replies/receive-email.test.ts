import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyDependencies } from '../../../src/app/services.js';
import { receiveEmail, type ReplyDependencies } from '../../../src/replies/receive.js';
import { closeTestPipeline, startTestPipeline, type TestPipeline } from '../../support/arrears.js';
import { seedLedger } from '../../support/ledger.js';
import { postfixBounce, replyEml, sentMessageId } from './reply-mail.js';

// Monday 9 March 2026, day 8 after the due date: the overdue-7 reminder goes to every customer.
const DAY_8 = '2026-03-09T09:00:00Z';
const DUE = [{ number: 'F-1', amountMinor: 50000, issuedOn: '2026-02-01', dueOn: '2026-03-01' }];
const CUSTOMERS = ['IRT-1', 'REF-1', 'SND-1', 'BNC-1', 'DUP-1', 'SHR-1', 'SHR-2'];
const MAX_BYTES = 64 * 1024;
const MAX_ATTACHMENT_BYTES = 2 * 1024;

describe('receiving email replies: threading, storing, duplicates and bad input (real Postgres)', () => {
  let pipeline: TestPipeline;
  let deps: ReplyDependencies;
  const prisma = () => pipeline.arrears.runtime.prisma;
  const address = (externalId: string) => (externalId.startsWith('SHR') ? 'shared@example.ro' : `${externalId.toLowerCase()}@example.ro`);
  const receive = (raw: Buffer) => receiveEmail(deps, { raw, source: 'cli', sourceRef: null });
  const outboundContact = (externalId: string) =>
    prisma().contact.findFirstOrThrow({ where: { customer: { externalId }, direction: 'outbound', channel: 'email' } });

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      INBOUND_MAX_BYTES: String(MAX_BYTES),
      INBOUND_MAX_ATTACHMENT_BYTES: String(MAX_ATTACHMENT_BYTES),
    });
    await seedLedger(
      prisma(),
      CUSTOMERS.map((externalId) => ({ externalId, email: address(externalId), invoices: DUE })),
    );
    await pipeline.arrears.tick(DAY_8);
    await pipeline.sink.waitFor(CUSTOMERS.length);
    deps = { ...(await replyDependencies(pipeline.arrears.runtime)), clock: () => new Date('2026-03-09T12:00:00Z') };
  });

  afterAll(async () => {
    await closeTestPipeline(pipeline ?? {});
  });

  it('threads a reply by In-Reply-To to the reminder it answers, from any address, and logs it as an inbound contact', async () => {
    const reminder = await outboundContact('IRT-1');
    const result = await receive(
      replyEml({
        from: 'colleague@elsewhere.example',
        inReplyTo: sentMessageId(pipeline.sink, address('IRT-1')),
        text: 'Can you send me a copy?',
      }),
    );
    expect(result).toMatchObject({ customer: 'IRT-1', contact: reminder.id, classification: 'other', duplicate: false });
    const reply = await prisma().reply.findUniqueOrThrow({ where: { id: result.reply } });
    expect(reply.matchedBy).toBe('in_reply_to');
    const inbound = await prisma().contact.findUniqueOrThrow({ where: { id: reply.contactId! } });
    expect([inbound.direction, inbound.channel, inbound.status, inbound.customerId]).toEqual([
      'inbound',
      'email',
      'logged',
      reminder.customerId,
    ]);
    expect(inbound.bodyText).toContain('Can you send me a copy?');
  });

  it('threads by References when In-Reply-To is missing, on the left part of our Message-ID whatever the domain', async () => {
    const reminder = await outboundContact('REF-1');
    const ours = sentMessageId(pipeline.sink, address('REF-1')).replace(/@[^>]+>$/, '@mail.renamed.example>');
    const result = await receive(
      replyEml({ from: 'someone@elsewhere.example', references: [ours, '<unrelated-1@elsewhere.example>'], text: 'See below.' }),
    );
    expect(result).toMatchObject({ customer: 'REF-1', contact: reminder.id });
    expect((await prisma().reply.findUniqueOrThrow({ where: { id: result.reply } })).matchedBy).toBe('references');
  });

  it("matches a reply without thread headers on the sender's address", async () => {
    const result = await receive(replyEml({ from: 'SND-1@Example.ro', text: 'Who do I talk to about this?' }));
    expect(result).toMatchObject({ customer: 'SND-1', contact: null });
    expect((await prisma().reply.findUniqueOrThrow({ where: { id: result.reply } })).matchedBy).toBe('sender');
  });

  it('leaves a reply it cannot tie to one customer unmatched: no contact, waiting for a person', async () => {
    for (const from of ['shared@example.ro', 'stranger@nowhere.example']) {
      const result = await receive(replyEml({ from, text: 'Hello?' }));
      expect(result).toMatchObject({ customer: null, contact: null, actions: ['unmatched'] });
      const reply = await prisma().reply.findUniqueOrThrow({ where: { id: result.reply } });
      expect([reply.customerId, reply.contactId, reply.matchedBy]).toEqual([null, null, null]);
    }
  });

  it('acts on a message delivered twice only once (by Message-ID, or by its bytes when it has none)', async () => {
    for (const messageId of ['<twice-1@mail.customer.example>', null]) {
      const raw = replyEml({ from: address('DUP-1'), messageId, text: `Question ${messageId ?? 'without id'}` });
      const first = await receive(raw);
      const second = await receive(raw);
      expect(first.duplicate).toBe(false);
      expect(second).toEqual({ ...first, duplicate: true });
    }
    const customer = await prisma().customer.findUniqueOrThrow({ where: { externalId: 'DUP-1' } });
    expect(await prisma().reply.count({ where: { customerId: customer.id } })).toBe(2);
    expect(await prisma().contact.count({ where: { customerId: customer.id, direction: 'inbound' } })).toBe(2);
  });

  it('a delivery status notification marks the reminder bounced and the address, as the bounce webhook does', async () => {
    const reminder = await outboundContact('BNC-1');
    const result = await receive(postfixBounce(address('BNC-1'), sentMessageId(pipeline.sink, address('BNC-1'))));
    expect(result).toMatchObject({ customer: 'BNC-1', contact: reminder.id, classification: 'bounce' });
    expect(result.actions).toEqual(['contact.bounced', 'address.bounced']);
    expect((await prisma().contact.findUniqueOrThrow({ where: { id: reminder.id } })).status).toBe('bounced');
    const point = await prisma().contactPoint.findFirstOrThrow({ where: { value: address('BNC-1') } });
    expect(point.bouncedAt).not.toBeNull();
    // Not a person: no reply pause.
    expect((await prisma().reply.findUniqueOrThrow({ where: { id: result.reply } })).pausedThrough).toBeNull();
  });

  it('keeps HTML only after sanitising it: no scripts, styles, images or event handlers', async () => {
    const html =
      '<html><head><style>body{background:url(https://tracker.example/p.png)}</style><script>alert(1)</script></head>' +
      '<body><p onclick="steal()">We <b>disagree</b>.</p><img src="https://tracker.example/pixel.gif">' +
      '<a href="javascript:alert(2)">x</a><a href="https://customer.example/statement">statement</a></body></html>';
    const result = await receive(replyEml({ from: address('SND-1'), text: 'We disagree.', html }));
    const reply = await prisma().reply.findUniqueOrThrow({ where: { id: result.reply } });
    expect(reply.bodyHtml).toContain('<b>disagree</b>');
    expect(reply.bodyHtml).toContain('href="https://customer.example/statement"');
    expect(reply.bodyHtml).not.toMatch(/script|style|<img|onclick|javascript:|tracker\.example/i);
  });

  it('stores a message with an unclosed multipart and bytes that are not UTF-8 whole, its text readable', async () => {
    const raw = Buffer.from(
      'From: SND-1@example.ro\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\nContent-Type: text/plain\r\n\r\nWe paid\xff\xfe half\r\n',
      'latin1',
    );
    const result = await receive(raw);
    const reply = await prisma().reply.findUniqueOrThrow({ where: { id: result.reply } });
    expect(result.customer).toBe('SND-1');
    expect(reply.bodyText).toContain('half');
    expect(Buffer.from(reply.raw!)).toEqual(raw);
  });

  it('keeps a message over INBOUND_MAX_BYTES by its headers, with the reason, and an attachment over the limit without content', async () => {
    const huge = await receive(
      replyEml({
        from: address('SND-1'),
        subject: 'Remittance',
        text: 'See attached.',
        attachment: { filename: 'scan.pdf', contentType: 'application/pdf', content: Buffer.alloc(MAX_BYTES, 7) },
      }),
    );
    const hugeReply = await prisma().reply.findUniqueOrThrow({ where: { id: huge.reply }, include: { attachments: true } });
    expect(huge.customer).toBe('SND-1');
    expect(hugeReply.subject).toBe('Remittance');
    expect([hugeReply.raw, hugeReply.attachments]).toEqual([null, []]);
    expect(hugeReply.rawOmitted).toMatch(/larger than INBOUND_MAX_BYTES/);

    const big = await receive(
      replyEml({
        from: address('SND-1'),
        text: 'See attached.',
        attachment: { filename: 'remittance.pdf', contentType: 'application/pdf', content: Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 7) },
      }),
    );
    const [attachment] = await prisma().replyAttachment.findMany({ where: { replyId: big.reply } });
    expect(attachment).toMatchObject({ filename: 'remittance.pdf', size: MAX_ATTACHMENT_BYTES + 1, content: null });
    expect(attachment!.omitted).toMatch(/INBOUND_MAX_ATTACHMENT_BYTES/);
  });
});
