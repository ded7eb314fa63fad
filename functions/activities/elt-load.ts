/**
 * Activities of the `eltLoad` orchestration (docs/elt.md): plan chunks, load one chunk into its staging table,
 * merge all staging tables with the version guard, drop staging. Each is safe to retry: planning only reads,
 * a chunk load replaces its own staging table and rejects blob, the merge is guarded, dropping is idempotent.
 */
import type { InvocationContext } from '@azure/functions';
import type { ContainerClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { getBlobInfo, listBlobs, openRange, RejectsWriter, type BlobInfo } from '../../connectors/blob';
import { parseCsv, readCsvHeader } from '../../connectors/csv/parse-csv';
import { decompressIf, isGzip } from '../../connectors/gzip';
import { parseNdjson } from '../../connectors/ndjson/parse-ndjson';
import { copyChunk, dropStaging, ensureTargetTable, mergeStaging, targetTableSchema, type TargetTable } from '../../connectors/postgres';
import { CsvBoundaryScanner } from '../../core/chunk-plan';
import { SluiceError } from '../../core/errors';
import {
  eltChunkSchema, eltFormatSchema, eltSelectionSchema, eltTableSchema,
  type EltChunk, type EltFormat, type LoadChunkResult, type MergeLoadResult, type PlanLoadResult,
} from '../../orchestrators/elt-load-input';
import { loadCsvChunkFast } from '../elt/csv-fast-path';
import { eltBlobService, eltPgPool } from '../elt/runtime';

export const planLoadActivityName = 'eltPlanLoad';
export const loadChunkActivityName = 'eltLoadChunk';
export const mergeLoadActivityName = 'eltMergeLoad';
export const dropLoadStagingActivityName = 'eltDropLoadStaging';

export const planLoadInputSchema = z
  .object({ loadId: z.string().min(1), container: z.string().min(1), selection: eltSelectionSchema, format: eltFormatSchema, table: eltTableSchema, targetChunkBytes: z.number().int().positive() })
  .strict();
export const loadChunkInputSchema = z
  .object({ loadId: z.string().min(1), container: z.string().min(1), rejectsContainer: z.string().min(1), format: eltFormatSchema, table: eltTableSchema, chunk: eltChunkSchema })
  .strict();
export const mergeLoadInputSchema = z.object({ loadId: z.string().min(1), table: eltTableSchema, chunkCount: z.number().int().nonnegative() }).strict();
export const dropLoadStagingInputSchema = z.object({ loadId: z.string().min(1), chunkCount: z.number().int().nonnegative() }).strict();

export type PlanLoadInput = z.infer<typeof planLoadInputSchema>;
export type LoadChunkInput = z.infer<typeof loadChunkInputSchema>;
export type MergeLoadInput = z.infer<typeof mergeLoadInputSchema>;
export type DropLoadStagingInput = z.infer<typeof dropLoadStagingInputSchema>;

function parse<T>(schema: z.ZodType<T>, input: unknown, activity: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('InvalidArgument', `${activity}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: start loads through POST /api/loads.`);
  }
  return parsed.data;
}

function targetTable(table: unknown, activity: string): TargetTable {
  const parsed = targetTableSchema.safeParse(table);
  if (!parsed.success) {
    throw new SluiceError('ConfigInvalid', `${activity}: target table invalid: ${parsed.error.issues[0]?.message ?? 'invalid'}. To fix: correct the pipeline's target, keyColumns, versionColumn and columns.`);
  }
  return parsed.data;
}

const chunkRefs = (loadId: string, count: number) => Array.from({ length: count }, (_, chunkIndex) => ({ loadId, chunkIndex }));

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
    chunks.push({ chunkIndex: firstIndex + chunks.length, file: info.name, etag: info.etag, gzip: false, range, headerRange: scan.headerRange, firstLine: mark.lines + before + 1 });
  }
  return chunks;
}

export async function planLoad(rawInput: unknown): Promise<PlanLoadResult> {
  const input = parse(planLoadInputSchema, rawInput, planLoadActivityName);
  const table = targetTable(input.table, planLoadActivityName);
  const container = eltBlobService().getContainerClient(input.container);
  const files: BlobInfo[] = [];
  if ('blob' in input.selection) files.push(await getBlobInfo(container, input.selection.blob));
  else for await (const info of listBlobs(container, input.selection.prefix)) files.push(info);
  await ensureTargetTable(eltPgPool(), table);
  const chunks: EltChunk[] = [];
  for (const info of files) {
    const gzip = input.format.gzip || isGzip(info.name, info.contentEncoding);
    const splittable = input.format.kind === 'csv' && !gzip && info.size > input.targetChunkBytes;
    if (splittable) chunks.push(...await planCsvFile(container, info, input.format, input.targetChunkBytes, chunks.length));
    else if (info.size > 0) chunks.push({ chunkIndex: chunks.length, file: info.name, etag: info.etag, gzip, range: null, headerRange: null, firstLine: 1 });
  }
  return { chunks, files: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0) };
}

export async function loadChunk(rawInput: unknown, context: InvocationContext): Promise<LoadChunkResult> {
  const input = parse(loadChunkInputSchema, rawInput, loadChunkActivityName);
  const table = targetTable(input.table, loadChunkActivityName);
  const { chunk, format } = input;
  const blobs = eltBlobService();
  const landing = blobs.getContainerClient(input.container);
  // A fresh writer per attempt: an attempt that fails never flushes, the retry's blob replaces the chunk's.
  const rejects = new RejectsWriter(blobs.getContainerClient(input.rejectsContainer), { loadId: input.loadId, file: chunk.file, chunkIndex: chunk.chunkIndex });
  context.log('sluice:elt chunk started', JSON.stringify({ loadId: input.loadId, chunkIndex: chunk.chunkIndex }));
  const columns = chunk.range !== null && chunk.headerRange !== null && format.kind === 'csv'
    ? await readCsvHeader(await openRange(landing, chunk.file, { offset: chunk.headerRange.start, count: chunk.headerRange.end - chunk.headerRange.start, etag: chunk.etag }), { delimiter: format.delimiter, file: chunk.file })
    : undefined;
  const openBody = async (): Promise<Readable> => decompressIf(await openRange(landing, chunk.file, chunk.range === null
    ? { offset: 0, etag: chunk.etag }
    : { offset: chunk.range.start, count: chunk.range.end - chunk.range.start, etag: chunk.etag }), chunk.gzip);
  if (format.kind === 'csv') {
    const fast = await loadCsvChunkFast(eltPgPool(), { loadId: input.loadId, chunk, format, table, columns, body: await openBody() });
    if (fast.loaded) {
      // Deletes the rejects blob an earlier attempt of this chunk may have written.
      await rejects.flush();
      context.log('sluice:elt chunk finished', JSON.stringify({ loadId: input.loadId, chunkIndex: chunk.chunkIndex, rows: fast.rows, rejects: 0, path: 'copy-csv' }));
      return { chunkIndex: chunk.chunkIndex, rows: fast.rows, rejects: 0, rejectsBlob: null };
    }
    context.log('sluice:elt chunk fast path declined', JSON.stringify({ loadId: input.loadId, chunkIndex: chunk.chunkIndex, reason: fast.reason }));
  }
  const input$ = await openBody();
  const records = format.kind === 'csv'
    ? parseCsv(input$, { ...(columns === undefined ? {} : { columns }), firstLine: chunk.firstLine, delimiter: format.delimiter, onReject: rejects.add, file: chunk.file })
    : parseNdjson(input$, { firstLine: chunk.firstLine, onReject: rejects.add });
  const copied = await copyChunk(eltPgPool(), { loadId: input.loadId, chunkIndex: chunk.chunkIndex, table, records, mode: format.kind === 'csv' ? 'text' : 'json', onReject: rejects.add });
  const flushed = await rejects.flush();
  // The writer counts parse rejects too (copyChunk only sees the records the parser let through).
  context.log('sluice:elt chunk finished', JSON.stringify({ loadId: input.loadId, chunkIndex: chunk.chunkIndex, rows: copied.rows, rejects: rejects.count, path: format.kind === 'csv' ? 'csv-parse' : 'ndjson' }));
  return { chunkIndex: chunk.chunkIndex, rows: copied.rows, rejects: rejects.count, rejectsBlob: flushed?.name ?? null };
}

export async function mergeLoad(rawInput: unknown): Promise<MergeLoadResult> {
  const input = parse(mergeLoadInputSchema, rawInput, mergeLoadActivityName);
  return mergeStaging(eltPgPool(), targetTable(input.table, mergeLoadActivityName), chunkRefs(input.loadId, input.chunkCount));
}

export async function dropLoadStaging(rawInput: unknown): Promise<{ dropped: number }> {
  const input = parse(dropLoadStagingInputSchema, rawInput, dropLoadStagingActivityName);
  await dropStaging(eltPgPool(), chunkRefs(input.loadId, input.chunkCount));
  return { dropped: input.chunkCount };
}

df.app.activity(planLoadActivityName, { handler: planLoad });
df.app.activity(loadChunkActivityName, { handler: loadChunk });
df.app.activity(mergeLoadActivityName, { handler: mergeLoad });
df.app.activity(dropLoadStagingActivityName, { handler: dropLoadStaging });
