/**
 * Chunk planning of one landed file (docs/elt.md): a CSV whose quoted fields may hold newlines is streamed once
 * through the quote-aware boundary scanner; NDJSON, and CSV declared without newlines in quotes, are cut by small
 * probes after each target offset (`planLineChunks`), reading a few KiB per chunk. Probe-planned chunks do not know
 * their first line number (`firstLine` null): a chunk that has rejects counts the lines before it when it needs
 * them (`linesBefore`). gzip files and files no larger than the target are one chunk each.
 */
import type { ContainerClient } from '@azure/storage-blob';
import type { Readable } from 'node:stream';
import { openRange, type BlobInfo } from '../../connectors/blob';
import { isGzip } from '../../connectors/gzip';
import { CsvBoundaryScanner, planLineChunks } from '../../core/chunk-plan';
import type { EltChunk, EltFormat } from '../../orchestrators/elt-load-input';

function countLf(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Lines (LFs) of the file before `offset`, streamed, never held whole in memory. */
export async function linesBefore(container: ContainerClient, file: string, etag: string, offset: number): Promise<number> {
  if (offset === 0) return 0;
  let lines = 0;
  for await (const part of await openRange(container, file, { offset: 0, count: offset, etag })) lines += countLf(part as Buffer);
  return lines;
}

/**
 * Streams the file once through the boundary scanner, remembering the line count at each buffer start; the
 * line number of each chunk start is then that count plus the LFs read again from the buffer start to the cut.
 */
async function planCsvFile(container: ContainerClient, info: BlobInfo, format: EltFormat, targetChunkBytes: number, firstIndex: number): Promise<EltChunk[]> {
  const scanner = new CsvBoundaryScanner({ targetChunkBytes, header: true, dialect: { delimiter: format.delimiter, quote: format.quote } });
  const marks: Array<{ offset: number; lines: number }> = [];
  let offset = 0;
  let lines = 0;
  for await (const part of await openRange(container, info.name, { offset: 0, etag: info.etag })) {
    const bytes = part as Buffer;
    marks.push({ offset, lines });
    scanner.push(bytes);
    offset += bytes.length;
    lines += countLf(bytes);
  }
  const scan = scanner.finish(info.size);
  const chunks: EltChunk[] = [];
  for (const range of scan.chunks) {
    const mark = marks.findLast((m) => m.offset <= range.start) ?? { offset: 0, lines: 0 };
    const before = range.start === mark.offset ? 0 : countLf(await readAll(await openRange(container, info.name, { offset: mark.offset, count: range.start - mark.offset, etag: info.etag })));
    chunks.push({ chunkIndex: firstIndex + chunks.length, file: info.name, etag: info.etag, gzip: false, range, headerRange: scan.headerRange, bytes: range.end - range.start, firstLine: mark.lines + before + 1 });
  }
  return chunks;
}

/** Every LF ends a record: cut by probes, header (CSV) kept out of the chunks and read by each chunk. */
async function planLineFile(container: ContainerClient, info: BlobInfo, format: EltFormat, targetChunkBytes: number, firstIndex: number): Promise<EltChunk[]> {
  const readRange = async (start: number, end: number) => readAll(await openRange(container, info.name, { offset: start, count: end - start, etag: info.etag }));
  const plan = await planLineChunks({ totalSize: info.size, targetChunkBytes, header: format.kind === 'csv' }, readRange);
  return plan.chunks.map((range, i) => ({
    chunkIndex: firstIndex + i, file: info.name, etag: info.etag, gzip: false, range, headerRange: plan.headerRange, bytes: range.end - range.start, firstLine: null,
  }));
}

export async function planFile(container: ContainerClient, info: BlobInfo, format: EltFormat, targetChunkBytes: number, firstIndex: number): Promise<EltChunk[]> {
  const gzip = format.gzip || isGzip(info.name, info.contentEncoding);
  if (info.size === 0) return [];
  if (gzip || info.size <= targetChunkBytes) {
    return [{ chunkIndex: firstIndex, file: info.name, etag: info.etag, gzip, range: null, headerRange: null, bytes: info.size, firstLine: 1 }];
  }
  if (format.kind === 'csv' && format.newlinesInQuotes) return planCsvFile(container, info, format, targetChunkBytes, firstIndex);
  return planLineFile(container, info, format, targetChunkBytes, firstIndex);
}
