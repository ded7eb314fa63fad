/**
 * The PostgreSQL CSV fast path of `eltLoadChunk` (docs/elt.md "CSV fast path"): PostgreSQL parses the chunk's
 * bytes itself (copyCsvChunk). It loads a chunk only when the result equals the csv-parse path's with no
 * rejects; otherwise it loads nothing and returns why, and the activity loads the chunk through csv-parse.
 */
import type { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { splitCsvHeader } from '../../connectors/csv/split-header';
import { CsvStrictViolation } from '../../connectors/csv/strict-scan';
import { copyCsvChunk, type CopyCsvChunkResult, type TargetTable } from '../../connectors/postgres';
import { isSluiceError } from '../../core/errors';
import type { EltChunk, EltFormat } from '../../orchestrators/elt-load-input';

export interface CsvFastPathInput {
  loadId: string;
  chunk: EltChunk;
  format: EltFormat;
  table: TargetTable;
  /** The header names when the chunk starts after the header; undefined = the chunk starts with the header. */
  columns: readonly string[] | undefined;
  /** The chunk's bytes (decompressed). */
  body: Readable;
}

export async function loadCsvChunkFast(pool: Pool, input: CsvFastPathInput): Promise<CopyCsvChunkResult> {
  const { chunk, format } = input;
  try {
    // parseCsv always reads with the default quote; any other configured quote stays on that path.
    if (format.quote !== '"') return { loaded: false, reason: `the quote character is ${JSON.stringify(format.quote)}, not "` };
    let columns = input.columns;
    let data: AsyncIterable<Uint8Array> = input.body;
    if (columns === undefined) {
      const split = await splitCsvHeader(input.body, { delimiter: format.delimiter, file: chunk.file }).catch((error: unknown) => {
        if (error instanceof CsvStrictViolation || isSluiceError(error)) return `header: ${(error as Error).message}`;
        throw error;
      });
      if (split === undefined) return { loaded: false, reason: 'the chunk has no complete header line' };
      if (typeof split === 'string') return { loaded: false, reason: split };
      columns = split.columns;
      data = split.data;
    }
    return await copyCsvChunk(pool, { loadId: input.loadId, chunkIndex: chunk.chunkIndex, table: input.table, columns, data, delimiter: format.delimiter });
  } finally {
    input.body.destroy();
  }
}
