import { describe, expect, it } from 'vitest';
import { rejectsCell, rejectsLine } from '../../../src/ingest/rejects-file.js';
import { INJECTIONS } from '../../support/generators.js';

describe('the rejects file', () => {
  it.each([
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+SUM(1+1)', "'+SUM(1+1)"],
    ['-2+3', "'-2+3"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\t=1', "'\t=1"],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ['plain text', 'plain text'],
    ['a,b', '"a,b"'],
  ])('neutralises %j', (value, cell) => {
    expect(rejectsCell(value)).toBe(cell);
  });

  it('keeps the line number and defuses the reason and raw cells', () => {
    expect(rejectsLine({ line: 7, reason: 'timezone: "x" is not an IANA time zone', raw: `${INJECTIONS[1]},Acme,,` })).toBe(
      `7,"timezone: ""x"" is not an IANA time zone","'${INJECTIONS[1]},Acme,,"\n`,
    );
  });
});
