/**
 * The sink-specific steps of `eltLoad`: which activity loads a chunk (PostgreSQL staging COPY, or the guarded
 * Cosmos DB upsert), whether the load has staging to merge and drop (PostgreSQL only), the Cosmos DB write
 * counts summed into the same shape as the PostgreSQL merge's, and the Cosmos DB check pass (every chunk parsed
 * and checked, nothing written) that lets a load fail on rejects before any write.
 */
import type * as df from 'durable-functions';
import { SluiceError } from '../core/errors';
import { upsertCosmosChunkActivityName, type UpsertCosmosChunkInput, type UpsertCosmosChunkResult } from '../functions/activities/elt-cosmos-chunk';
import { loadChunkActivityName, type LoadChunkInput } from '../functions/activities/elt-load';
import type { EltChunk, EltLoadInput, EltTable, LoadChunkResult, MergeLoadResult } from './elt-load-input';

/** The PostgreSQL table of a load that has staging (every load without a Cosmos DB target). */
export function pgTable(input: EltLoadInput): EltTable {
  if (input.table === undefined) {
    throw new SluiceError('MessageInvalid', `Load "${input.loadId}" has no PostgreSQL table to stage into. To fix: start loads through POST /api/loads.`);
  }
  return input.table;
}

export function hasStaging(input: EltLoadInput): boolean {
  return input.cosmos === undefined;
}

export function chunkTask(context: df.OrchestrationContext, retry: df.RetryOptions, input: EltLoadInput, chunk: EltChunk): df.Task {
  const common = { loadId: input.loadId, container: input.container, rejectsContainer: input.rejectsContainer, format: input.format };
  if (input.cosmos !== undefined) {
    return context.df.callActivityWithRetry(upsertCosmosChunkActivityName, retry, { ...common, cosmos: input.cosmos, chunk } satisfies UpsertCosmosChunkInput);
  }
  return context.df.callActivityWithRetry(loadChunkActivityName, retry, { ...common, table: pgTable(input), chunk } satisfies LoadChunkInput);
}

/** Cosmos DB chunks write as they go: their counts, summed, are the load's "merge". */
type Step<T> = Generator<df.Task, T, unknown>;

/**
 * Cosmos DB loads with `validateBeforeWrite`: every chunk checked, nothing written, in waves of at most `permits`
 * (the same bound as the writes). Undefined when the load has no check pass.
 */
export function* validateChunks(context: df.OrchestrationContext, retry: df.RetryOptions, input: EltLoadInput, chunks: readonly EltChunk[], permits: number):
  Step<{ rows: number; rejects: number } | undefined> {
  if (input.cosmos?.validateBeforeWrite !== true) return undefined;
  const totals = { rows: 0, rejects: 0 };
  const common = { loadId: input.loadId, container: input.container, rejectsContainer: input.rejectsContainer, format: input.format, cosmos: input.cosmos, validateOnly: true };
  for (let from = 0; from < chunks.length; from += permits) {
    const wave = chunks.slice(from, from + permits)
      .map((chunk) => context.df.callActivityWithRetry(upsertCosmosChunkActivityName, retry, { ...common, chunk } satisfies UpsertCosmosChunkInput));
    for (const checked of (yield context.df.Task.all(wave)) as LoadChunkResult[]) {
      totals.rows += checked.rows;
      totals.rejects += checked.rejects;
    }
  }
  return totals;
}

export function cosmosWrites(chunks: readonly LoadChunkResult[]): MergeLoadResult {
  const sum: MergeLoadResult = { candidates: 0, inserted: 0, updated: 0, skippedByGuard: 0 };
  for (const chunk of chunks as readonly UpsertCosmosChunkResult[]) {
    sum.inserted += chunk.inserted;
    sum.updated += chunk.updated;
    sum.skippedByGuard += chunk.skippedByGuard;
  }
  sum.candidates = sum.inserted + sum.updated + sum.skippedByGuard;
  return sum;
}
