/** Chunk plans: byte ranges of a landed file, each starting at a record boundary, loaded in parallel. */

export type RecordFormat = 'csv' | 'ndjson';

/** Half-open byte range [start, end). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface CsvDialect {
  /** Field separator, one ASCII character. @default "," */
  delimiter: string;
  /** Quote character, one ASCII character; doubled inside a quoted field to escape it (RFC 4180). @default '"' */
  quote: string;
}

/**
 * How to load one file:
 * - `whole`: one chunk, the loader streams the whole file (gzip files: ranges of compressed bytes cannot be
 *   parsed on their own; and files no larger than one chunk);
 * - `ranges`: independent byte ranges; `headerRange` is where the header line is (each chunk loader reads it
 *   once to name the columns) and the chunks cover everything after it.
 */
export type FilePlan =
  | { kind: 'whole'; name: string; size: number }
  | { kind: 'ranges'; name: string; size: number; headerRange: ByteRange | null; chunks: ByteRange[] };

export interface LandedFile {
  name: string;
  size: number;
  /** True when the blob is gzip-compressed (by name `.gz` or Content-Encoding). */
  gzip: boolean;
}

/**
 * How a plain file larger than one chunk finds its record boundaries:
 * - `scan`: read the file once from the start, tracking quote state (`CsvBoundaryScanner`). Needed for CSV
 *   whose quoted fields may contain newlines: from an arbitrary offset nobody can tell whether it is inside quotes.
 * - `probe`: every newline is a record boundary (NDJSON: JSON strings cannot hold a raw newline; CSV declared
 *   without newlines in quoted fields), so a few small reads around each target offset suffice (`planLineChunks`).
 */
export type BoundaryStrategy = 'scan' | 'probe';
