/**
 * Splits the header record off the front of a CSV byte stream without parsing the rest: the bytes up to the
 * first line feed outside quotes are the header, everything after goes on untouched (for the COPY fast path).
 */
import { Readable } from 'node:stream';
import { readCsvHeader } from './parse-csv';
import { CsvStrictScanner } from './strict-scan';

const LF = 0x0a;
const QUOTE = 0x22;

export interface SplitCsvHeader {
  /** Header names, read with csv-parse (BOM stripped) exactly as the csv-parse path reads them. */
  columns: string[];
  /** The stream's bytes after the header record. */
  data: AsyncIterable<Uint8Array>;
}

async function* rest(first: Uint8Array, iterator: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (first.length > 0) yield first;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
}

/**
 * Reads until the header record is complete. The header must itself be strict CSV (CsvStrictScanner), else
 * this throws CsvStrictViolation and the caller takes the csv-parse path; undefined means no header at all.
 */
export async function splitCsvHeader(source: AsyncIterable<Uint8Array>, options: { delimiter: string; file: string }):
  Promise<SplitCsvHeader | undefined> {
  const iterator = source[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let inQuotes = false;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const bytes = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === QUOTE) inQuotes = !inQuotes;
      else if (bytes[i] === LF && !inQuotes) {
        const header = Buffer.concat([...parts, bytes.subarray(0, i + 1)]);
        const columns = await readCsvHeader(Readable.from([header]), options);
        const scanner = new CsvStrictScanner(columns.map(() => ({ kind: 'text' as const, required: false })), options.delimiter);
        scanner.push(header);
        scanner.finish();
        return { columns, data: rest(bytes.subarray(i + 1), iterator) };
      }
    }
    parts.push(bytes);
  }
  return undefined;
}
