/**
 * `eltLoad` orchestration (docs/elt.md): plan record-aligned chunks of the landed file(s), acquire between 1 and
 * `maxPermits` permits of the pipeline's target semaphore, load the chunks into their staging tables at most
 * that many at a time, then merge once with the version guard and drop staging. Past `maxRejectRatio` the load
 * fails before the merge, so the target is unchanged. A Cosmos DB target has no staging: chunks write guarded
 * upserts directly, after a check pass over all chunks (elt-load-sinks.ts). Then the outputs: export and
 * notifications (elt-outputs.ts). Progress is the custom status; the ledger entry is written by elt-load-ledger.ts.
 */
import * as df from 'durable-functions';
import { shardFor, shardKey, splitCapacity } from '../core/semaphore';
import { SluiceError } from '../core/errors';
import {
  dropLoadStagingActivityName, mergeLoadActivityName, planLoadActivityName,
  type DropLoadStagingInput, type MergeLoadInput, type PlanLoadInput,
} from '../functions/activities/elt-load';
import { eltLoadInputSchema, type EltLoadInput, type LoadChunkResult, type MergeLoadResult, type PlanLoadResult } from './elt-load-input';
import { recordLoad, type LoadLedgerState } from './elt-load-ledger';
import { chunkTask, cosmosWrites, hasStaging, pgTable, validateChunks } from './elt-load-sinks';
import { runLoadOutputs, type LoadOutputs, type LoadProgress } from './elt-outputs';
import { acquirePermit, releasePermit, type PermitRef } from './permits';
import { nowMs } from './time';
import { withLoadTelemetry } from './telemetry';

export const eltLoadOrchestrationName = 'eltLoad';

export interface EltLoadStatus {
  chunksDone: number;
  chunksTotal: number;
  rows: number;
  rejects: number;
  /** Bytes of the landed files read by finished chunks, of `bytesTotal`. */
  bytesDone: number;
  bytesTotal: number;
  /** bytesDone over the time since the permits were granted (orchestration time), 0 before. */
  bytesPerSecond: number;
}

export interface EltLoadResult extends EltLoadStatus, LoadOutputs {
  loadId: string;
  files: number;
  bytes: number;
  permits: number;
  /** PostgreSQL: the merge's counts; Cosmos DB: the chunks' guarded writes summed. */
  merge: MergeLoadResult | null;
}

type Step<T> = Generator<df.Task, T, unknown>;

/** Transient sink/source errors retry with backoff; a chunk retry replaces its own staging table. */
function activityRetry(): df.RetryOptions {
  const options = new df.RetryOptions(1_000, 3);
  options.backoffCoefficient = 2;
  return options;
}

function parseInput(input: unknown): EltLoadInput {
  const parsed = eltLoadInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('MessageInvalid', `${eltLoadOrchestrationName}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: start loads through POST /api/loads.`);
  }
  return parsed.data;
}

function targetPermitRef(input: EltLoadInput, owner: string): PermitRef {
  const { target } = input;
  const shard = shardFor(owner, target.shards);
  const shardCapacity = splitCapacity(target.capacity, target.shards)[shard]!;
  return {
    key: shardKey(target.name, shard, target.shards),
    owner,
    permits: Math.min(input.maxPermits, shardCapacity),
    min: 1,
    leaseInMs: target.leaseInMs,
    capacityIfNew: shardCapacity,
  };
}

/** The load's failure when its rejects exceed maxRejectRatio; `outcome` says what happened to the target. */
function pastRejectRatio(input: EltLoadInput, counts: { rows: number; rejects: number }, outcome: string): SluiceError | undefined {
  const seen = counts.rows + counts.rejects;
  if (seen === 0 || counts.rejects / seen <= input.maxRejectRatio) return undefined;
  return new SluiceError('RejectThresholdExceeded',
    `Load "${input.loadId}" of pipeline "${input.pipeline}" rejected ${counts.rejects} of ${seen} rows (${(100 * counts.rejects / seen).toFixed(2)}%), more than maxRejectRatio ${input.maxRejectRatio}; ${outcome}. ` +
    `To fix: see the rejected rows with their file, line and reason in container "${input.rejectsContainer}" under "${input.loadId}/", correct the data and load it again (or raise maxRejectRatio).`,
    { ids: { loadId: input.loadId, pipeline: input.pipeline } });
}

/** Cleanup on the failure path: a failed drop is logged, never hides the load's own error. */
function* dropStagingQuietly(context: df.OrchestrationContext, retry: df.RetryOptions, staged: DropLoadStagingInput): Step<void> {
  try {
    yield context.df.callActivityWithRetry(dropLoadStagingActivityName, retry, staged);
  } catch (error) {
    if (!context.df.isReplaying) context.warn('sluice:elt dropping staging after a failed chunk failed', { loadId: staged.loadId, error: String(error) });
  }
}

/** Runs the load, then its outputs (export, notifications), and writes its ledger entry (running once planned, then succeeded or failed). */
export function* eltLoad(context: df.OrchestrationContext): Step<EltLoadResult> {
  const input = parseInput(context.df.getInput());
  const retry = activityRetry();
  const ledger: LoadLedgerState = { loadId: input.loadId, pipeline: input.pipeline, times: { startedMs: nowMs(context) }, sources: [], counts: {} };
  try {
    const result = yield* runLoadOutputs(context, retry, input, (progress) => runLoad(context, input, retry, ledger, progress));
    ledger.counts = { rows: result.rows, rejects: result.rejects, ...(result.merge === null ? {} : { inserted: result.merge.inserted, updated: result.merge.updated, skippedByGuard: result.merge.skippedByGuard }) };
    yield* recordLoad(context, retry, ledger, 'succeeded');
    return result;
  } catch (error) {
    yield* recordLoad(context, retry, ledger, 'failed', error);
    throw error;
  }
}

function* runLoad(context: df.OrchestrationContext, input: EltLoadInput, retry: df.RetryOptions, ledger: LoadLedgerState, progress: LoadProgress): Step<EltLoadResult> {
  const planInput: PlanLoadInput = { loadId: input.loadId, container: input.container, selection: input.selection, format: input.format, table: input.table, targetChunkBytes: input.targetChunkBytes };
  const plan = (yield context.df.callActivityWithRetry(planLoadActivityName, retry, planInput)) as PlanLoadResult;
  ledger.times.plannedMs = nowMs(context);
  ledger.sources = plan.sources;
  yield* recordLoad(context, retry, ledger, 'running');
  const status: EltLoadStatus = { chunksDone: 0, chunksTotal: plan.chunks.length, rows: 0, rejects: 0, bytesDone: 0, bytesTotal: plan.chunks.reduce((sum, c) => sum + c.bytes, 0), bytesPerSecond: 0 };
  progress.status = status;
  const loaded: LoadChunkResult[] = [];
  context.df.setCustomStatus(status);
  const result: EltLoadResult = { loadId: input.loadId, files: plan.files, bytes: plan.bytes, permits: 0, merge: null, ...status };
  if (plan.chunks.length === 0) return result;

  const ref = targetPermitRef(input, context.df.instanceId);
  const held = yield* acquirePermit(context, ref, input.permitRecheckInMs);
  result.permits = held.permits;
  const permitsMs = nowMs(context);
  ledger.times.permitsMs = permitsMs;
  try {
    const checked = yield* validateChunks(context, retry, input, plan.chunks, held.permits);
    const checkFailed = checked && pastRejectRatio(input, checked, 'no document was written (every chunk was checked before writing)');
    if (checkFailed) throw checkFailed;
    // Waves of at most `permits` chunk loads: never more chunk loads at once than permits held.
    for (let from = 0; from < plan.chunks.length; from += held.permits) {
      const wave = plan.chunks.slice(from, from + held.permits).map((chunk) => chunkTask(context, retry, input, chunk));
      let done: LoadChunkResult[];
      try {
        done = (yield context.df.Task.all(wave)) as LoadChunkResult[];
      } catch (error) {
        // A chunk failed after its retries: the load fails, and no staging table outlives it.
        if (hasStaging(input)) yield* dropStagingQuietly(context, retry, { loadId: input.loadId, chunkCount: plan.chunks.length });
        throw error;
      }
      for (const chunk of done) {
        loaded.push(chunk);
        status.chunksDone++;
        status.rows += chunk.rows;
        status.rejects += chunk.rejects;
        status.bytesDone += plan.chunks[chunk.chunkIndex]?.bytes ?? 0;
      }
      const elapsedInMs = nowMs(context) - permitsMs;
      status.bytesPerSecond = elapsedInMs > 0 ? Math.round(status.bytesDone * 1000 / elapsedInMs) : 0;
      context.df.setCustomStatus(status);
      ledger.counts = { rows: status.rows, rejects: status.rejects };
    }
    ledger.times.chunksMs = nowMs(context);
    const staged = { loadId: input.loadId, chunkCount: plan.chunks.length };
    const overRatio = pastRejectRatio(input, status, hasStaging(input) ? 'the target table was not changed'
      : 'the documents of its valid rows were written (Cosmos DB loads have no staging; loading the corrected file again is idempotent)');
    if (overRatio !== undefined) {
      if (hasStaging(input)) yield context.df.callActivityWithRetry(dropLoadStagingActivityName, retry, staged satisfies DropLoadStagingInput);
      throw overRatio;
    }
    if (hasStaging(input)) {
      const mergeInput: MergeLoadInput = { loadId: input.loadId, table: pgTable(input), chunkCount: plan.chunks.length };
      result.merge = (yield context.df.callActivityWithRetry(mergeLoadActivityName, retry, mergeInput)) as MergeLoadResult;
      ledger.times.mergedMs = nowMs(context);
      yield context.df.callActivityWithRetry(dropLoadStagingActivityName, retry, staged satisfies DropLoadStagingInput);
    } else {
      result.merge = cosmosWrites(loaded);
    }
  } finally {
    yield* releasePermit(context, ref);
  }
  return { ...result, ...status };
}

df.app.orchestration(eltLoadOrchestrationName, withLoadTelemetry(eltLoad));
