/**
 * Streaming NDJSON parse of one chunk: one JSON object per line, blank lines skipped, line numbers kept.
 * A line that is not a JSON object becomes a reject; the chunk goes on.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { RejectSink, SourceRecord } from '../records';

export interface ParseNdjsonOptions {
  /** Line number of the chunk's first line in the file. @default 1 */
  firstLine?: number;
  onReject: RejectSink;
}

export async function* parseNdjson(input: Readable, options: ParseNdjsonOptions): AsyncGenerator<SourceRecord> {
  let line = (options.firstLine ?? 1) - 1;
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const raw of lines) {
    line++;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      options.onReject({ line, raw, reason: `invalid JSON: ${(error as Error).message}` });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      options.onReject({ line, raw, reason: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` });
      continue;
    }
    yield { line, raw, values: value as Record<string, unknown> };
  }
}
