import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DatabaseError } from 'pg-protocol';
import { Prisma } from '../../src/db/client.js';
import { createLogger } from '../../src/logging/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'info', format: 'json', production: true }, stream);
  return { logger, output: () => lines.join('') };
}

describe('logger redaction', () => {
  it('redacts named secret and personal fields, at the top level and one level down', () => {
    const { logger, output } = capture();
    logger.info(
      { token: 'tok_live_123', contact: { email: 'ana@example.ro', phone: '+40 721 000 111', body: 'You owe 1,200 RON' } },
      'sent',
    );
    const text = output();
    for (const secret of ['tok_live_123', 'ana@example.ro', '+40 721 000 111', 'You owe']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('masks addresses, phone numbers and URL passwords left in free text and errors', () => {
    const { logger, output } = capture();
    logger.warn({ err: new Error('550 mailbox ana@example.ro unknown') }, 'bounce for +86 138 0013 8000');
    logger.info({ note: 'connect postgresql://postgres:s3cret@db:5432/arrears' }, 'x');
    const text = output();
    expect(text).not.toMatch(/ana@example\.ro|138 0013 8000|s3cret/);
    expect(text).toContain('[email]');
    expect(text).toContain('[phone]');
    expect(text).toContain('postgresql://[redacted]@db:5432/arrears');
  });

  it('leaves ordinary numbers alone', () => {
    const { logger, output } = capture();
    logger.info({ dueCases: 1234, invoice: 'INV-2026-00042' }, 'tick took 250 ms');
    expect(output()).toContain('INV-2026-00042');
    expect(output()).toContain('"dueCases":1234');
  });

  it("keeps a failed statement's values out of the log: pg and Prisma errors give their codes, table and constraint only", () => {
    const { logger, output } = capture();
    const duplicate = Object.assign(
      new DatabaseError('duplicate key value violates unique constraint "customers_name_key"', 120, 'error'),
      {
        severity: 'ERROR',
        code: '23505',
        detail: 'Key (name)=(Dunărea Trading SRL) already exists.',
        table: 'customers',
        constraint: 'customers_name_key',
      },
    );
    const raw = new Prisma.PrismaClientKnownRequestError(
      'Raw query failed. Code: `22P02`. Message: `invalid input syntax for type uuid: "Ionescu Ana"`',
      {
        code: 'P2010',
        clientVersion: '6',
        meta: { code: '22P02', message: 'invalid input syntax for type uuid: "Ionescu Ana"' },
      },
    );
    logger.error({ err: duplicate, route: '/api/v1/customers' }, 'request failed');
    logger.error({ err: new Error('statement failed', { cause: raw }) }, 'request failed');
    const text = output();
    expect(text).not.toMatch(/Dunărea|Ionescu|Key \(name\)/);
    const [first, second] = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { err: Record<string, unknown> });
    expect(first!.err).toMatchObject({ type: 'DatabaseError', code: '23505', table: 'customers', constraint: 'customers_name_key' });
    expect(second!.err.cause).toMatchObject({ type: 'PrismaClientKnownRequestError', code: 'P2010', sqlState: '22P02' });
  });
});
