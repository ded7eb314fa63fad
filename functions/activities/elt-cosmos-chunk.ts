/**
 * `eltUpsertCosmosChunk`: one chunk of a load into a Cosmos DB container (docs/elt.md "Cosmos DB target"). No
 * staging: rows are coerced to documents and written in batches with the version guard (ETag-conditional
 * create/replace, connectors/cosmos/guarded-upsert.ts), so a retried chunk re-decides every row against what is
 * stored and changes nothing it already wrote. Rejects go to the chunk's own rejects blob, replaced per attempt.
 * With `validateOnly` the chunk is parsed and checked the same way but nothing is written to the container
 * (the load's check of its reject ratio before any write).
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { RejectsWriter } from '../../connectors/blob';
import { upsertRecordStream, validateRecordStream } from '../../connectors/cosmos/upsert-stream';
import { SluiceError } from '../../core/errors';
import { eltChunkSchema, eltCosmosTargetSchema, eltFormatSchema, type LoadChunkResult } from '../../orchestrators/elt-load-input';
import { openChunkRecords } from '../elt/chunk-records';
import { getCosmosTarget } from '../elt/cosmos-target';
import { eltBlobService } from '../elt/runtime';

export const upsertCosmosChunkActivityName = 'eltUpsertCosmosChunk';

export const upsertCosmosChunkInputSchema = z
  .object({
    loadId: z.string().min(1), container: z.string().min(1), rejectsContainer: z.string().min(1), format: eltFormatSchema, cosmos: eltCosmosTargetSchema, chunk: eltChunkSchema,
    validateOnly: z.boolean().optional(),
  })
  .strict();

export type UpsertCosmosChunkInput = z.infer<typeof upsertCosmosChunkInputSchema>;

export interface UpsertCosmosChunkResult extends LoadChunkResult {
  inserted: number;
  updated: number;
  skippedByGuard: number;
  /** Writes that lost a race with another writer (412/409) or were throttled, and were decided again. */
  retried: number;
}

export async function upsertCosmosChunk(rawInput: unknown, context: InvocationContext): Promise<UpsertCosmosChunkResult> {
  const parsed = upsertCosmosChunkInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('InvalidArgument', `${upsertCosmosChunkActivityName}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: start loads through POST /api/loads.`);
  }
  const { loadId, chunk, format, cosmos } = parsed.data;
  const blobs = eltBlobService();
  const mode = format.kind === 'csv' ? 'text' : 'json';
  // A fresh writer per attempt: an attempt that fails never flushes, the retry's blob replaces the chunk's.
  const rejects = new RejectsWriter(blobs.getContainerClient(parsed.data.rejectsContainer), { loadId, file: chunk.file, chunkIndex: chunk.chunkIndex });
  const validateOnly = parsed.data.validateOnly === true;
  context.log('sluice:elt chunk started', JSON.stringify({ loadId, chunkIndex: chunk.chunkIndex, sink: 'cosmos', validateOnly }));
  const { records, onReject, numberRejects } = await openChunkRecords(blobs.getContainerClient(parsed.data.container), chunk, format, rejects.add);
  if (validateOnly) {
    const checked = await validateRecordStream(records, { shape: cosmos.shape, mode, onReject });
    await numberRejects();
    const flushed = await rejects.flush();
    context.log('sluice:elt chunk finished', JSON.stringify({ loadId, chunkIndex: chunk.chunkIndex, rows: checked.rows, rejects: rejects.count, validateOnly }));
    return { chunkIndex: chunk.chunkIndex, rows: checked.rows, rejects: rejects.count, rejectsBlob: flushed?.name ?? null, inserted: 0, updated: 0, skippedByGuard: 0, retried: 0 };
  }
  const target = await getCosmosTarget(cosmos.database, cosmos.container, cosmos.partitionKeyPath);
  const written = await upsertRecordStream(target, records, { shape: cosmos.shape, mode, onReject });
  await numberRejects();
  const flushed = await rejects.flush();
  context.log('sluice:elt chunk finished', JSON.stringify({ loadId, chunkIndex: chunk.chunkIndex, rows: written.rows, rejects: rejects.count, retried: written.retried }));
  return {
    chunkIndex: chunk.chunkIndex, rows: written.rows, rejects: rejects.count, rejectsBlob: flushed?.name ?? null,
    inserted: written.inserted, updated: written.updated, skippedByGuard: written.skippedByGuard, retried: written.retried,
  };
}

df.app.activity(upsertCosmosChunkActivityName, { handler: upsertCosmosChunk });
