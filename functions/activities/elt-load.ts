/**
 * Activities of the `eltLoad` orchestration (docs/elt.md): plan chunks, load one chunk into its staging table,
 * merge all staging tables with the version guard, drop staging. Each is safe to retry: planning only reads,
 * a chunk load replaces its own staging table and rejects blob, the merge is guarded, dropping is idempotent.
 */
import type { InvocationContext } from '@azure/functions';
import type { ContainerClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import { z } from 'zod';
import { getBlobInfo, listBlobs, RejectsWriter, type BlobInfo } from '../../connectors/blob';
import { copyChunk, dropStaging, ensureTargetTable, mergeStaging, targetTableSchema, type TargetTable } from '../../connectors/postgres';
import { SluiceError } from '../../core/errors';
import {
  eltChunkSchema, eltFormatSchema, eltSelectionSchema, eltTableSchema,
  type EltChunk, type LoadChunkResult, type MergeLoadResult, type PlanLoadResult,
} from '../../orchestrators/elt-load-input';
import { chunkColumns, openChunkBody, openChunkRecords } from '../elt/chunk-records';
import { loadCsvChunkFast } from '../elt/csv-fast-path';
import { planFile } from '../elt/plan-files';
import { eltBlobService, eltPgPool } from '../elt/runtime';

export const planLoadActivityName = 'eltPlanLoad';
export const loadChunkActivityName = 'eltLoadChunk';
export const mergeLoadActivityName = 'eltMergeLoad';
export const dropLoadStagingActivityName = 'eltDropLoadStaging';

export const planLoadInputSchema = z
  .object({ loadId: z.string().min(1), container: z.string().min(1), selection: eltSelectionSchema, format: eltFormatSchema, table: eltTableSchema.optional(), targetChunkBytes: z.number().int().positive() })
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

/** The blob's current version; with a pinned `etag` (blob trigger), a newer version fails this load, it has its own. */
async function pinnedBlob(container: ContainerClient, selection: { blob: string; etag?: string | undefined }): Promise<BlobInfo> {
  const info = await getBlobInfo(container, selection.blob);
  if (selection.etag !== undefined && info.etag !== selection.etag) {
    throw new SluiceError('PreconditionFailed', `Blob "${selection.blob}" in container "${container.containerName}" changed since this load started (ETag ${selection.etag}, now ${info.etag}); ` +
      'this load of the older version stops without touching the target. To fix: nothing, the newer version starts its own load on arrival.',
    { ids: { blob: selection.blob } });
  }
  return info;
}

export async function planLoad(rawInput: unknown): Promise<PlanLoadResult> {
  const input = parse(planLoadInputSchema, rawInput, planLoadActivityName);
  // Without a table the load targets Cosmos DB, whose chunk activity opens (or creates) its container.
  const table = input.table === undefined ? undefined : targetTable(input.table, planLoadActivityName);
  const container = eltBlobService().getContainerClient(input.container);
  const files: BlobInfo[] = [];
  if ('blob' in input.selection) files.push(await pinnedBlob(container, input.selection));
  else for await (const info of listBlobs(container, input.selection.prefix)) files.push(info);
  if (table !== undefined) await ensureTargetTable(eltPgPool(), table);
  const chunks: EltChunk[] = [];
  for (const info of files) chunks.push(...await planFile(container, info, input.format, input.targetChunkBytes, chunks.length));
  const sources = files.map((f) => ({ file: f.name, etag: f.etag, bytes: f.size }));
  return { chunks, files: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0), sources };
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
  if (format.kind === 'csv') {
    const columns = await chunkColumns(landing, chunk, format);
    const fast = await loadCsvChunkFast(eltPgPool(), { loadId: input.loadId, chunk, format, table, columns, body: await openChunkBody(landing, chunk) });
    if (fast.loaded) {
      // Deletes the rejects blob an earlier attempt of this chunk may have written.
      await rejects.flush();
      context.log('sluice:elt chunk finished', JSON.stringify({ loadId: input.loadId, chunkIndex: chunk.chunkIndex, rows: fast.rows, rejects: 0, path: 'copy-csv' }));
      return { chunkIndex: chunk.chunkIndex, rows: fast.rows, rejects: 0, rejectsBlob: null };
    }
    context.log('sluice:elt chunk fast path declined', JSON.stringify({ loadId: input.loadId, chunkIndex: chunk.chunkIndex, reason: fast.reason }));
  }
  const opened = await openChunkRecords(landing, chunk, format, rejects.add);
  const copied = await copyChunk(eltPgPool(), { loadId: input.loadId, chunkIndex: chunk.chunkIndex, table, records: opened.records, mode: format.kind === 'csv' ? 'text' : 'json', onReject: opened.onReject });
  await opened.numberRejects();
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
