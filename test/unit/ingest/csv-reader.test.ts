import { describe, expect, it } from 'vitest';
import { readCsvRecords, type CsvRecord } from '../../../src/ingest/csv-reader.js';
import { HeaderError, mapHeader } from '../../../src/ingest/header.js';

async function read(text: string, chunkSize = 3, maxRecordChars?: number): Promise<CsvRecord[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const records: CsvRecord[] = [];
  for await (const record of readCsvRecords(chunks(), maxRecordChars === undefined ? {} : { maxRecordChars })) records.push(record);
  return records;
}

describe('readCsvRecords', () => {
  it.each([1, 2, 7, 1000])('gives physical line numbers whatever the chunk size (%i)', async (chunkSize) => {
    const text = 'a,b\n1,"two\nlines"\n\n3,"say ""hi"""\r\n4,x\r\n5,"a,b"';
    const records = await read(text, chunkSize);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', 'two\nlines']],
      [5, ['3', 'say "hi"']],
      [6, ['4', 'x']],
      [7, ['5', 'a,b']],
    ]);
    expect(records[1]?.raw).toBe('1,"two\nlines"');
  });

  it('keeps empty fields and a trailing empty field', async () => {
    expect((await read('a,,c,\n')).map((r) => r.fields)).toEqual([['a', '', 'c', '']]);
  });

  it('reports an unterminated quote at its line and reads on from the next line', async () => {
    const records = await read('h\n1,ok\n2,"broken\n3,fine\n', 4);
    expect(records.map((r) => [r.line, r.error ?? r.fields])).toEqual([
      [1, ['h']],
      [2, ['1', 'ok']],
      [3, 'unterminated quote'],
      [4, ['3', 'fine']],
    ]);
    expect(records[2]?.raw).toBe('2,"broken');
  });

  it('gives up on a quote left open longer than the record limit', async () => {
    const records = await read(`h\n1,"${'x'.repeat(50)}\n2,ok\n${'3,y\n'.repeat(20)}`, 8, 40);
    expect(records[1]).toMatchObject({ line: 2, error: 'unterminated quote' });
    expect(records[2]).toMatchObject({ line: 3, fields: ['2', 'ok'] });
  });

  it('rejects text after a closing quote', async () => {
    const records = await read('1,"a"b,c\n2,d\n');
    expect(records.map((r) => r.error ?? r.fields)).toEqual(['unexpected text after a closing quote', ['2', 'd']]);
  });
});

describe('mapHeader', () => {
  const expected = ['external_id', 'customer_external_id', 'amount'];

  it('maps columns in any order, case-blind', () => {
    expect(mapHeader(['Amount', ' external_id', 'customer_external_id'], expected)).toEqual([1, 2, 0]);
  });

  it('names missing, unexpected (with a guess) and repeated columns', () => {
    const error = (() => {
      try {
        mapHeader(['external_id', 'custmer_external_id', 'amount', 'amount', 'notes'], expected);
      } catch (e) {
        return e;
      }
    })() as HeaderError;
    expect(error).toBeInstanceOf(HeaderError);
    expect(error.problems).toEqual([
      'unexpected column "custmer_external_id" (did you mean "customer_external_id"?)',
      'column "amount" appears twice',
      'unexpected column "notes"',
      'missing column: customer_external_id',
      'expected: external_id,customer_external_id,amount',
    ]);
  });
});
