/**
 * The records of one planned chunk: an ETag-pinned ranged read of the landed file (the header read separately for
 * a CSV chunk that does not start the file), gunzip when needed, then a streaming CSV or NDJSON parse. Rejects get
 * absolute line numbers: a chunk planned by probes does not know its first line, so its rejects wait in
 * `numberRejects` for the count of the lines before the chunk.
 */
import type { Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { openRange } from '../../connectors/blob';
import { parseCsv, readCsvHeader } from '../../connectors/csv/parse-csv';
import { decompressIf } from '../../connectors/gzip';
import { parseNdjson } from '../../connectors/ndjson/parse-ndjson';
import type { Reject, RejectSink, SourceRecord } from '../../connectors/records';
import type { EltChunk, EltFormat } from '../../orchestrators/elt-load-input';
import { linesBefore } from './plan-files';

export interface ChunkRecords {
  records: AsyncIterable<SourceRecord>;
  /** The sink for rejects found downstream (coercion, documents): numbered like the parser's. */
  onReject: RejectSink;
  /** Call once the records are consumed: hands the held rejects, numbered, to the caller's sink. */
  numberRejects(): Promise<void>;
}

/** The CSV header of a chunk that does not start its file (read from the file's first line); undefined otherwise. */
export async function chunkColumns(landing: ContainerClient, chunk: EltChunk, format: EltFormat): Promise<string[] | undefined> {
  if (chunk.range === null || chunk.headerRange === null || format.kind !== 'csv') return undefined;
  const header = await openRange(landing, chunk.file, { offset: chunk.headerRange.start, count: chunk.headerRange.end - chunk.headerRange.start, etag: chunk.etag });
  return readCsvHeader(header, { delimiter: format.delimiter, file: chunk.file });
}

/** The chunk's bytes, ETag-pinned, gunzipped when the file is gzip. */
export async function openChunkBody(landing: ContainerClient, chunk: EltChunk): Promise<Readable> {
  const body = await openRange(landing, chunk.file, chunk.range === null
    ? { offset: 0, etag: chunk.etag }
    : { offset: chunk.range.start, count: chunk.range.end - chunk.range.start, etag: chunk.etag });
  return decompressIf(body, chunk.gzip);
}

export async function openChunkRecords(landing: ContainerClient, chunk: EltChunk, format: EltFormat, onReject: RejectSink): Promise<ChunkRecords> {
  const columns = await chunkColumns(landing, chunk, format);
  const input = await openChunkBody(landing, chunk);
  const unnumbered: Reject[] = [];
  const sink: RejectSink = chunk.firstLine === null ? (reject) => unnumbered.push(reject) : onReject;
  const firstLine = chunk.firstLine ?? 1;
  const records = format.kind === 'csv'
    ? parseCsv(input, { ...(columns === undefined ? {} : { columns }), firstLine, delimiter: format.delimiter, onReject: sink, file: chunk.file })
    : parseNdjson(input, { firstLine, onReject: sink });
  return {
    records,
    onReject: sink,
    numberRejects: async () => {
      if (unnumbered.length === 0) return;
      const before = await linesBefore(landing, chunk.file, chunk.etag, chunk.range?.start ?? 0);
      for (const reject of unnumbered) onReject({ ...reject, line: reject.line + before });
    },
  };
}
