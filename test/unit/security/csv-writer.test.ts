import { describe, expect, it } from 'vitest';
import { csvCell, csvDocument, csvQuoted } from '../../../src/csv/csv-writer.js';

describe('the CSV writer of every export', () => {
  it.each([
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+SUM(1+1)', "'+SUM(1+1)"],
    ['-2+3', "'-2+3"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', '"\'\r=1"'],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ['plain text', 'plain text'],
    ['a,b', '"a,b"'],
    ['', ''],
  ])('neutralises and quotes the text %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes numbers as they are (a credit stays a number) and null as empty', () => {
    expect(csvCell(-500)).toBe('-500');
    expect(csvCell(12n)).toBe('12');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('writes a header and CRLF-ended records', () => {
    expect(csvDocument(['name', 'balance'], [['=1+1', -5]])).toBe("name,balance\r\n'=1+1,-5\r\n");
  });

  it('quotes without neutralising for files Arrears imports itself', () => {
    expect(csvQuoted('-2+3')).toBe('-2+3');
    expect(csvQuoted('a "b"')).toBe('"a ""b"""');
  });
});
