/**
 * The records of one planned chunk: an ETag-pinned ranged read of the landed file (the header read separately for
 * a CSV chunk that does not start the file), gunzip when needed, then a streaming CSV or NDJSON parse whose
 * rejects (with absolute line numbers) go to `onReject`.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { openRange } from '../../connectors/blob';
import { parseCsv, readCsvHeader } from '../../connectors/csv/parse-csv';
import { decompressIf } from '../../connectors/gzip';
import { parseNdjson } from '../../connectors/ndjson/parse-ndjson';
import type { RejectSink, SourceRecord } from '../../connectors/records';
import type { EltChunk, EltFormat } from '../../orchestrators/elt-load-input';

export async function openChunkRecords(landing: ContainerClient, chunk: EltChunk, format: EltFormat, onReject: RejectSink): Promise<AsyncIterable<SourceRecord>> {
  const columns = chunk.range !== null && chunk.headerRange !== null && format.kind === 'csv'
    ? await readCsvHeader(await openRange(landing, chunk.file, { offset: chunk.headerRange.start, count: chunk.headerRange.end - chunk.headerRange.start, etag: chunk.etag }), { delimiter: format.delimiter, file: chunk.file })
    : undefined;
  const body = await openRange(landing, chunk.file, chunk.range === null
    ? { offset: 0, etag: chunk.etag }
    : { offset: chunk.range.start, count: chunk.range.end - chunk.range.start, etag: chunk.etag });
  const input = decompressIf(body, chunk.gzip);
  return format.kind === 'csv'
    ? parseCsv(input, { ...(columns === undefined ? {} : { columns }), firstLine: chunk.firstLine, delimiter: format.delimiter, onReject, file: chunk.file })
    : parseNdjson(input, { firstLine: chunk.firstLine, onReject });
}
