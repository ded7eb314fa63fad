/**
 * The records of one planned chunk: an ETag-pinned ranged read of the landed file (the header read separately for
 * a CSV chunk that does not start the file), gunzip when needed, then a streaming CSV or NDJSON parse. Rejects get
 * absolute line numbers: a chunk planned by probes does not know its first line, so its rejects wait in
 * `numberRejects` for the count of the lines before the chunk.
 */
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

export async function openChunkRecords(landing: ContainerClient, chunk: EltChunk, format: EltFormat, onReject: RejectSink): Promise<ChunkRecords> {
  const columns = chunk.range !== null && chunk.headerRange !== null && format.kind === 'csv'
    ? await readCsvHeader(await openRange(landing, chunk.file, { offset: chunk.headerRange.start, count: chunk.headerRange.end - chunk.headerRange.start, etag: chunk.etag }), { delimiter: format.delimiter, file: chunk.file })
    : undefined;
  const body = await openRange(landing, chunk.file, chunk.range === null
    ? { offset: 0, etag: chunk.etag }
    : { offset: chunk.range.start, count: chunk.range.end - chunk.range.start, etag: chunk.etag });
  const input = decompressIf(body, chunk.gzip);
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
