/**
 * Sequential RFC 4180 boundary scan. From an arbitrary byte offset one cannot know whether it lies inside a quoted
 * field (a quoted field may hold delimiters, doubled quotes and newlines, and a header-based guess can be fooled
 * by data that looks like a record), so the only always-correct way is to track the quote state from byte 0.
 * The scan is a single pass over bytes with no parsing or allocation (the planning activity streams the blob
 * through it), and it records one record start per chunk: the first record start at or after
 * `chunkStart + targetChunkBytes`.
 *
 * Rules, matching csv-parse: a quote opens a quoted field only at the start of a field; inside quotes a doubled
 * quote is an escaped quote; a record ends at LF outside quotes (so CRLF and LF both work, CR alone is data).
 * Works on UTF-8 bytes: multi-byte characters never contain ASCII bytes, so delimiter, quote, CR and LF are exact.
 */
import { SluiceError } from '../errors';
import type { ByteRange, CsvDialect } from './types';

const LF = 0x0a;

const enum State {
  FieldStart = 0,
  Unquoted = 1,
  Quoted = 2,
  QuoteInQuoted = 3,
}

export interface CsvScanOptions {
  targetChunkBytes: number;
  /** The first record is a header line (kept out of the chunks, reported as `headerRange`). */
  header: boolean;
  dialect?: Partial<CsvDialect>;
}

export interface CsvScanResult {
  headerRange: ByteRange | null;
  chunks: ByteRange[];
  /** True when the file ended inside a quoted field (the last record is malformed; its chunk will reject it). */
  endedInQuotes: boolean;
}

export class CsvBoundaryScanner {
  private readonly target: number;
  private readonly delimiter: number;
  private readonly quote: number;
  private state = State.FieldStart;
  private offset = 0;
  private headerEnd: number | null;
  private chunkStart = 0;
  private readonly cuts: number[] = [];

  constructor(options: CsvScanOptions) {
    if (!Number.isInteger(options.targetChunkBytes) || options.targetChunkBytes < 1) {
      throw new SluiceError('InvalidArgument', `CsvBoundaryScanner: targetChunkBytes must be an integer >= 1, got ${options.targetChunkBytes}. To fix: set the chunk size in bytes.`);
    }
    this.target = options.targetChunkBytes;
    this.delimiter = asciiByte(options.dialect?.delimiter ?? ',', 'delimiter');
    this.quote = asciiByte(options.dialect?.quote ?? '"', 'quote');
    this.headerEnd = options.header ? null : 0;
  }

  /**
   * Feeds the next bytes of the file, in order. Jumps with `indexOf` (native) instead of visiting every byte:
   * inside quotes only the next quote matters; outside, only the next LF or quote, and a quote opens a quoted
   * field only right after a delimiter.
   */
  push(bytes: Uint8Array): void {
    const len = bytes.length;
    const base = this.offset;
    const { quote, delimiter } = this;
    let state = this.state;
    let i = 0;
    // Cached positions of the next LF / quote at or after i; -1 = none left, -2 = not searched yet.
    let lf = -2;
    let qt = -2;
    while (i < len) {
      if (state === State.Quoted) {
        const q = bytes.indexOf(quote, i);
        if (q < 0) break;
        i = q + 1;
        state = State.QuoteInQuoted;
        continue;
      }
      if (state === State.Unquoted) {
        if (lf !== -1 && lf < i) lf = bytes.indexOf(LF, i);
        if (qt !== -1 && qt < i) qt = bytes.indexOf(quote, i);
        if (lf >= 0 && (qt < 0 || lf < qt)) {
          i = lf + 1;
          state = State.FieldStart;
          this.recordStart(base + i);
          continue;
        }
        if (qt < 0) {
          // No LF and no quote left: only whether the last byte is a delimiter matters for the next push.
          state = bytes[len - 1] === delimiter ? State.FieldStart : State.Unquoted;
          break;
        }
        state = qt > i && bytes[qt - 1] === delimiter ? State.Quoted : State.Unquoted;
        i = qt + 1;
        continue;
      }
      // FieldStart or QuoteInQuoted: this one byte decides. A quote opens a field or is an escaped quote.
      const b = bytes[i++];
      if (b === quote) state = State.Quoted;
      else if (b === delimiter) state = State.FieldStart;
      else if (b === LF) {
        state = State.FieldStart;
        this.recordStart(base + i);
      } else state = State.Unquoted;
    }
    this.state = state;
    this.offset = base + len;
  }

  /** Ends the scan; `totalSize` must equal the number of bytes pushed. */
  finish(totalSize: number): CsvScanResult {
    if (totalSize !== this.offset) {
      throw new SluiceError('PreconditionFailed', `CsvBoundaryScanner: scanned ${this.offset} bytes but the file has ${totalSize}. To fix: push every byte of the file, in order.`);
    }
    const headerEnd = this.headerEnd ?? totalSize;
    const starts = [headerEnd, ...this.cuts.filter((c) => c < totalSize)];
    const chunks: ByteRange[] = [];
    for (let i = 0; i < starts.length; i++) {
      const start = starts[i]!;
      const end = starts[i + 1] ?? totalSize;
      if (end > start) chunks.push({ start, end });
    }
    return {
      headerRange: this.headerEnd === 0 ? null : { start: 0, end: headerEnd },
      chunks,
      endedInQuotes: this.state === State.Quoted,
    };
  }

  private recordStart(offset: number): void {
    if (this.headerEnd === null) {
      this.headerEnd = offset;
      this.chunkStart = offset;
      return;
    }
    if (offset - this.chunkStart >= this.target) {
      this.cuts.push(offset);
      this.chunkStart = offset;
    }
  }
}

/** Convenience for bytes already in memory (tests, small files). */
export function scanCsvChunks(bytes: Uint8Array, options: CsvScanOptions): CsvScanResult {
  const scanner = new CsvBoundaryScanner(options);
  scanner.push(bytes);
  return scanner.finish(bytes.length);
}

function asciiByte(value: string, name: string): number {
  if (value.length !== 1 || value.charCodeAt(0) > 0x7f || value === '\n' || value === '\r') {
    throw new SluiceError('InvalidArgument', `CsvBoundaryScanner: ${name} must be one ASCII character other than CR/LF, got ${JSON.stringify(value)}. To fix: set a one-character ${name}.`);
  }
  return value.charCodeAt(0);
}
