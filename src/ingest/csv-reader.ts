// A streaming RFC 4180 reader that keeps physical line numbers: the header is line 1 and a quoted
// field spanning three lines moves the next record's number by three, so a rejection points at
// the line a person sees in an editor. Only the record being read is held in memory.

/** One record, or one that could not be read; `line` is where it starts (1-based). */
export type CsvRecord =
  { line: number; raw: string; fields: string[]; error?: undefined } | { line: number; raw: string; fields?: undefined; error: string };

export interface CsvReaderOptions {
  /**
   * A record longer than this is reported as an unterminated quote: only a quote left open can
   * make a ledger row this long, and it would otherwise swallow the rest of the file.
   */
  maxRecordChars?: number;
}

type Parsed = { kind: 'record'; fields: string[]; end: number; rawEnd: number } | { kind: 'broken'; reason: string } | { kind: 'more' };

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Yields the records of `chunks` (text, already decoded). Blank lines are skipped. A record with
 * an unterminated quote is reported at its first line and reading resumes on the next line, so
 * the rows after it still load.
 */
export async function* readCsvRecords(chunks: AsyncIterable<string>, options: CsvReaderOptions = {}): AsyncGenerator<CsvRecord> {
  const maxRecordChars = options.maxRecordChars ?? 1_048_576;
  let buffer = '';
  let line = 1;
  let eof = false;
  // After a broken record, the rest of its physical line is dropped, even when that line has
  // not fully arrived yet.
  let discardingLine = false;
  const iterator = chunks[Symbol.asyncIterator]();
  for (;;) {
    let pos = 0;
    if (discardingLine) {
      const lf = buffer.indexOf('\n');
      pos = lf < 0 ? buffer.length : lf + 1;
      discardingLine = lf < 0 && !eof;
    }
    while (pos < buffer.length) {
      const parsed = parseRecord(buffer, pos, eof);
      if (parsed.kind === 'record') {
        const raw = buffer.slice(pos, parsed.rawEnd);
        const isBlank = parsed.fields.length === 1 && parsed.fields[0] === '';
        if (!isBlank) yield { line, raw, fields: parsed.fields };
        line += 1 + countLineFeeds(raw);
        pos = parsed.end;
        continue;
      }
      // Too long to be a real row: only a quote left open makes one, so report it as such.
      if (parsed.kind === 'more' && buffer.length - pos <= maxRecordChars) break;
      const reason = parsed.kind === 'broken' ? parsed.reason : 'unterminated quote';
      const lf = buffer.indexOf('\n', pos);
      const end = lf < 0 ? buffer.length : lf;
      yield { line, raw: buffer.slice(pos, end > pos && buffer.charCodeAt(end - 1) === CR ? end - 1 : end), error: reason };
      line += 1;
      pos = lf < 0 ? buffer.length : lf + 1;
      discardingLine = lf < 0 && !eof;
    }
    buffer = buffer.slice(pos);
    if (eof) return;
    const next = await iterator.next();
    if (next.done === true) eof = true;
    else buffer += next.value;
  }
}

function countLineFeeds(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}

/** Parses one record starting at `start`; 'more' when the buffer ends inside it. */
function parseRecord(buffer: string, start: number, eof: boolean): Parsed {
  const fields: string[] = [];
  const length = buffer.length;
  let i = start;
  for (;;) {
    if (i < length && buffer.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = buffer.indexOf('"', from);
        if (quote < 0) return eof ? { kind: 'broken', reason: 'unterminated quote' } : { kind: 'more' };
        if (quote + 1 === length && !eof) return { kind: 'more' };
        if (buffer.charCodeAt(quote + 1) === QUOTE) {
          value += buffer.slice(from, quote + 1);
          from = quote + 2;
          continue;
        }
        value += buffer.slice(from, quote);
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i < length && buffer.charCodeAt(i) === CR) {
        if (i + 1 < length) {
          if (buffer.charCodeAt(i + 1) === LF) i += 1;
        } else if (eof) i += 1;
        else return { kind: 'more' };
      }
      const code = i < length ? buffer.charCodeAt(i) : -1;
      if (code === COMMA) {
        i += 1;
        continue;
      }
      if (code === LF) return { kind: 'record', fields, end: i + 1, rawEnd: endOfRaw(buffer, start, i) };
      if (code === -1) {
        return eof ? { kind: 'record', fields, end: length, rawEnd: length } : { kind: 'more' };
      }
      // A "closing" quote lines further down was almost always the opening quote of a later
      // field: the real problem is a quote left open on this line.
      return { kind: 'broken', reason: value.includes('\n') ? 'unterminated quote' : 'unexpected text after a closing quote' };
    }
    let j = i;
    while (j < length) {
      const code = buffer.charCodeAt(j);
      if (code === COMMA || code === LF) break;
      j += 1;
    }
    if (j === length && !eof) return { kind: 'more' };
    const fieldEnd = j > i && buffer.charCodeAt(j - 1) === CR && (j === length || buffer.charCodeAt(j) === LF) ? j - 1 : j;
    fields.push(buffer.slice(i, fieldEnd));
    if (j < length && buffer.charCodeAt(j) === COMMA) {
      i = j + 1;
      continue;
    }
    if (j === length) return { kind: 'record', fields, end: length, rawEnd: fieldEnd };
    return { kind: 'record', fields, end: j + 1, rawEnd: endOfRaw(buffer, start, j) };
  }
}

/** End of the record's text before the line feed at `lf` (and its carriage return). */
function endOfRaw(buffer: string, start: number, lf: number): number {
  return lf > start && buffer.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
}
