/**
 * Records as parsers hand them to sinks, and rejects as sinks and parsers hand them to the rejects writer.
 * A record keeps its line number and raw text so any later failure can still be reported precisely.
 */

export interface SourceRecord {
  /** 1-based line where the record starts (absolute in the file when the chunk's first line is known). */
  line: number;
  /** The record's text as it appears in the file. */
  raw: string;
  values: Record<string, unknown>;
}

export interface Reject {
  line: number;
  raw: string;
  reason: string;
}

/** Receives each rejected record; the caller decides where rejects go (usually the rejects blob). */
export type RejectSink = (reject: Reject) => void;
