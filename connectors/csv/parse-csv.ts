/**
 * Streaming CSV parse of one chunk (a byte range aligned to record boundaries) with csv-parse: RFC 4180
 * quoting (fields may hold delimiters, quotes and newlines), line numbers kept per record for rejects.
 *
 * Header handling: the chunk at the start of a file reads its header from the first record; later chunks get
 * the header as `columns` (read once by the planner with readCsvHeader). Malformed records become rejects:
 * a wrong field count is one bad line; an unclosed quote takes everything after it (RFC 4180 cannot resync),
 * which is rejected as one raw text, so no row disappears silently.
 */
import type { Readable } from 'node:stream';
import { parse, type CsvError, type Options } from 'csv-parse';
import { SluiceError } from '../../core/errors';
import type { RejectSink, SourceRecord } from '../records';

export interface ParseCsvOptions {
  /** Column names for chunks that do not start the file; undefined = the first record is the header. */
  columns?: readonly string[];
  /** Line number of the chunk's first line in the file. @default 1 */
  firstLine?: number;
  /** @default ',' */
  delimiter?: string;
  onReject: RejectSink;
  /** Names the file in error messages. */
  file?: string;
}

interface ParsedRecord {
  record: string[];
  raw: string;
  line: number;
}

/**
 * Lines a record's raw text spans. csv-parse's own line counter counts a CRLF inside quotes twice and its raw
 * text drops the LF of a CRLF record end, so lines are counted here, in parse order, from the raw text.
 */
function linesIn(raw: string): number {
  let count = 0;
  for (let i = raw.indexOf('\n'); i !== -1; i = raw.indexOf('\n', i + 1)) count++;
  return raw.endsWith('\r') ? count + 1 : count;
}

function stripRecordEnd(raw: string): string {
  return raw.replace(/\r?\n?$/, '');
}

function validateHeader(names: readonly string[], file: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (name.trim() === '' || seen.has(name)) {
      throw new SluiceError('ChunkRejected',
        `CSV header of ${file} is invalid: ${name.trim() === '' ? 'an empty column name' : `"${name}" appears twice`}. ` +
          'To fix: give every column a unique, non-empty name in the first line.', { ids: { file } });
    }
    seen.add(name);
  }
}

/** csv-parse messages carry chunk-relative line numbers; say what is wrong in file terms instead. */
function skipReason(error: CsvError | undefined): string {
  switch (error?.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'malformed CSV: a quote opened on this line is never closed, so the rest of the chunk is one bad record';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'malformed CSV: characters follow a closing quote';
    default:
      return `malformed CSV (${error?.code ?? 'unknown'}): ${error?.message.replace(/ at line \d+.*$/, '') ?? 'unparseable record'}`;
  }
}

function csvParser(parseOptions: ParseCsvOptions, firstLine: number) {
  // on_record and on_skip run synchronously in file order, so one counter gives every record its first line.
  let nextLine = firstLine;
  // With `raw: true` csv-parse hands on_record `{ record, raw }`; its typings do not model that shape.
  const onRecord = (parsed: { record: string[]; raw: string }): ParsedRecord => {
    const line = nextLine;
    nextLine += linesIn(parsed.raw);
    return { record: parsed.record, raw: parsed.raw, line };
  };
  const options: Options = {
    delimiter: parseOptions.delimiter ?? ',',
    bom: true,
    raw: true,
    relax_column_count: true,
    // Stray quotes inside unquoted fields are kept as data rather than poisoning the rest of the chunk.
    relax_quotes: true,
    // Empty lines come through as records (and are dropped below) so that they are counted.
    skip_empty_lines: false,
    skip_records_with_error: true,
    on_record: onRecord as unknown as Options['on_record'],
    on_skip: (error: CsvError | undefined, raw: string | undefined) => {
      const text = raw ?? '';
      parseOptions.onReject({ line: nextLine, raw: stripRecordEnd(text), reason: skipReason(error) });
      nextLine += linesIn(text);
      return undefined;
    },
  };
  return parse(options);
}

function isEmptyLine(parsed: ParsedRecord): boolean {
  return parsed.record.length === 1 && parsed.record[0] === '' && parsed.raw.trim() === '';
}

/** Yields one SourceRecord per data record, values keyed by column name (all strings). */
export async function* parseCsv(input: Readable, options: ParseCsvOptions): AsyncGenerator<SourceRecord> {
  const file = options.file ?? 'the file';
  let columns = options.columns;
  if (columns) validateHeader(columns, file);
  const parser = input.pipe(csvParser(options, options.firstLine ?? 1));
  input.once('error', (error) => parser.destroy(error));
  for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
    if (isEmptyLine(parsed)) continue;
    if (!columns) {
      columns = parsed.record;
      validateHeader(columns, file);
      continue;
    }
    const raw = stripRecordEnd(parsed.raw);
    if (parsed.record.length !== columns.length) {
      options.onReject({ line: parsed.line, raw, reason: `expected ${columns.length} fields, got ${parsed.record.length}` });
      continue;
    }
    const values: Record<string, unknown> = {};
    columns.forEach((name, i) => {
      values[name] = parsed.record[i];
    });
    yield { line: parsed.line, raw, values };
  }
}

/** Reads only the first record of a CSV stream (the header) and stops reading. */
export async function readCsvHeader(input: Readable, options: { delimiter?: string; file?: string } = {}): Promise<string[]> {
  const parser = input.pipe(parse({ delimiter: options.delimiter ?? ',', bom: true, relax_quotes: true, to: 1 }));
  input.once('error', (error) => parser.destroy(error));
  for await (const record of parser as AsyncIterable<string[]>) {
    input.destroy();
    validateHeader(record, options.file ?? 'the file');
    return record;
  }
  throw new SluiceError('ChunkRejected', `CSV file ${options.file ?? ''} has no header line. To fix: add one, or pass columns.`,
    { ids: { file: options.file ?? '' } });
}
