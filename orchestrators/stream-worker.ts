/**
 * `streamWorker` orchestration (instance id `stream-worker:<stream>:<guid>`, elected by the stream entity):
 *   take -> acquire source permit -> extractWindow -> release -> acquire target permit -> loadWindow -> release
 *   -> commit -> loop; continueAsNew after `windowsPerExecution` windows to bound the history.
 * A queued replay (`take` answers `replay`) runs the same way under the target permit only (replayWindow), then
 * `completeReplay`; its outcome is in the ledger, and a failed replay neither fails nor suspends the stream.
 * Activities retry with backoff (callActivityWithRetry); a window whose retries are exhausted is reported with
 * `fail`, retried after a backoff, and at `suspendAfterFailures` the entity suspends the stream: the worker
 * raises an alert and ends. Protocol and failure cases: docs/stream-worker.md.
 */
import * as df from 'durable-functions';
import { isSluiceError, SluiceError } from '../core/errors';
import type { EntityFailure, EntityReply } from '../entities/operation';
import { streamEntityName, type ReplayRequest, type StreamOperationInput, type StreamOperationResults, type StreamWindow } from '../entities/stream-operations';
import { extractWindowActivityName, type ExtractWindowInput, type ExtractWindowResult } from '../functions/activities/extract-window';
import { loadWindowActivityName, type LoadWindowInput, type LoadWindowResult } from '../functions/activities/load-window';
import { raiseAlertActivityName, type RaiseAlertInput } from '../functions/activities/raise-alert';
import { replayWindowActivityName, type ReplayWindowInput, type ReplayWindowResult } from '../functions/activities/replay-window';
import { permitGrantedEvent, windowCommittedEvent } from '../core/telemetry';
import { acquirePermit, permitRef, releasePermit, type PermitRef } from './permits';
import { reportTelemetry } from './telemetry';
import { fireAt, nowMs } from './time';
import { parseStreamWorkerInput, streamWorkerOrchestrationName, type ActivityRetry, type StreamWorkerInput } from './stream-worker-input';

type Step<T> = Generator<df.Task, T, unknown>;

export interface StreamWorkerOutcome {
  /** Why this execution ended: nothing pending, stream suspended, replaced by another worker, or continued. */
  ended: 'idle' | 'suspended' | 'replaced' | 'continuedAsNew';
  windowsCommitted: number;
}

/** Permits granted while applying a window, reported with its telemetry. */
type GrantRecord = { key: string; owner: string; permits: number; waitedMs: number };

type WindowOutcome = ({ kind: 'applied'; counts: LoadWindowResult } | { kind: 'failed'; error: string }) & { grants: GrantRecord[] };

function retryOptions(retry: ActivityRetry): df.RetryOptions {
  const options = new df.RetryOptions(retry.firstRetryIntervalInMs, retry.maxNumberOfAttempts);
  options.backoffCoefficient = retry.backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = retry.maxRetryIntervalInMs;
  return options;
}

/** Backoff before the next attempt at a failed window: the activity backoff continued, capped. */
export function windowBackoffInMs(retry: ActivityRetry, consecutiveFailures: number): number {
  const exponent = retry.maxNumberOfAttempts + consecutiveFailures - 1;
  return Math.min(retry.firstRetryIntervalInMs * retry.backoffCoefficient ** exponent, retry.maxRetryIntervalInMs);
}

function* callStream<O extends keyof StreamOperationResults>(
  context: df.OrchestrationContext,
  streamId: string,
  operation: O,
  input: StreamOperationInput<O>,
): Step<EntityReply<StreamOperationResults[O]>> {
  return (yield context.df.callEntity(new df.EntityId(streamEntityName, streamId), operation, input)) as EntityReply<StreamOperationResults[O]>;
}

function errorText(error: unknown): string {
  if (isSluiceError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Keeps the worker's stream lease alive during a long permit wait; throws StaleWorker once it was replaced. */
function* renewStreamLease(context: df.OrchestrationContext, input: StreamWorkerInput): Step<void> {
  const renewed = yield* callStream(context, input.streamId, 'renewLease', { workerId: context.df.instanceId, leaseInMs: input.leaseInMs, nowMs: nowMs(context) });
  if (!renewed.ok) throw new SluiceError(renewed.error.code, `stream(${input.streamId}).renewLease: ${renewed.error.message}`);
}

/** Runs one activity under a held permit and always releases it, also when the activity failed. */
function* underPermit<T>(
  context: df.OrchestrationContext,
  input: StreamWorkerInput,
  ref: PermitRef,
  work: () => df.Task,
  grants: GrantRecord[],
): Step<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    // Far back in the queue the re-check may wait up to half the stream lease, which each re-check renews.
    const maxRecheckInMs = Math.max(input.permitRecheckInMs, Math.floor(input.leaseInMs / 2));
    const held = yield* acquirePermit(context, ref, input.permitRecheckInMs, () => renewStreamLease(context, input), maxRecheckInMs);
    grants.push({ key: ref.key, owner: ref.owner, permits: held.permits, waitedMs: held.waitedMs });
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
  let outcome: { ok: true; value: T } | { ok: false; error: string };
  try {
    outcome = { ok: true, value: (yield work()) as T };
  } catch (error) {
    outcome = { ok: false, error: errorText(error) };
  }
  yield* releasePermit(context, ref);
  return outcome;
}

function* applyWindow(context: df.OrchestrationContext, input: StreamWorkerInput, window: StreamWindow): Step<WindowOutcome> {
  const owner = context.df.instanceId;
  const retry = retryOptions(input.retry);
  const grants: GrantRecord[] = [];
  const extractInput: ExtractWindowInput = { streamId: input.streamId, pipeline: input.pipeline, window };
  const extracted = yield* underPermit<ExtractWindowResult>(context, input, permitRef(input.source, owner), () =>
    context.df.callActivityWithRetry(extractWindowActivityName, retry, extractInput), grants,
  );
  if (!extracted.ok) return { kind: 'failed', error: `extract: ${extracted.error}`, grants };

  const loadInput: LoadWindowInput = { streamId: input.streamId, pipeline: input.pipeline, windowId: window.windowId, windowSeq: window.seq, extracted: extracted.value };
  const loaded = yield* underPermit<LoadWindowResult>(context, input, permitRef(input.target, owner), () =>
    context.df.callActivityWithRetry(loadWindowActivityName, retry, loadInput), grants,
  );
  if (!loaded.ok) return { kind: 'failed', error: `load: ${loaded.error}`, grants };
  return { kind: 'applied', counts: { rowsWritten: loaded.value.rowsWritten, rowsRejected: loaded.value.rowsRejected }, grants };
}

/** Re-applies a committed window under the target permit; a failure is logged (the ledger entry has it) and ends the replay. */
function* runReplay(context: df.OrchestrationContext, input: StreamWorkerInput, replay: ReplayRequest): Step<void> {
  const replayInput: ReplayWindowInput = { streamId: input.streamId, pipeline: input.pipeline, replayId: replay.replayId, windowSeq: replay.windowSeq };
  const outcome = yield* underPermit<ReplayWindowResult>(context, input, permitRef(input.target, context.df.instanceId), () =>
    context.df.callActivityWithRetry(replayWindowActivityName, retryOptions(input.retry), replayInput), [],
  );
  if (!outcome.ok && !context.df.isReplaying) {
    context.warn('sluice:stream replay failed', { streamId: input.streamId, replayId: replay.replayId, windowSeq: replay.windowSeq, error: outcome.error });
  }
}

/** A stale worker (replaced, or the stream suspended under it) stops quietly; any other entity failure is a bug. */
function staleOrThrow(failure: EntityFailure, where: string): 'replaced' {
  if (failure.code === 'StaleWorker') return 'replaced';
  throw new SluiceError(failure.code, `${where}: ${failure.message}`, { retryable: failure.retryable });
}

export function* streamWorker(context: df.OrchestrationContext): Step<StreamWorkerOutcome> {
  const input = parseStreamWorkerInput(context.df.getInput());
  const workerId = context.df.instanceId;
  const { streamId } = input;
  let windowsCommitted = 0;

  for (let step = 0; step < input.windowsPerExecution; step++) {
    const taken = yield* callStream(context, streamId, 'take', { workerId, leaseInMs: input.leaseInMs, nowMs: nowMs(context), limits: input.limits, keys: input.keys });
    if (!taken.ok) return { ended: staleOrThrow(taken.error, `stream(${streamId}).take`), windowsCommitted };
    if (taken.value.kind === 'replay') {
      const { replay } = taken.value;
      yield* runReplay(context, input, replay);
      const done = yield* callStream(context, streamId, 'completeReplay', { workerId, replayId: replay.replayId, nowMs: nowMs(context) });
      if (!done.ok) return { ended: staleOrThrow(done.error, `stream(${streamId}).completeReplay`), windowsCommitted };
      continue;
    }
    if (taken.value.kind !== 'window') return { ended: taken.value.kind, windowsCommitted };
    const window = taken.value.window;

    const outcome = yield* applyWindow(context, input, window);
    if (outcome.kind === 'applied') {
      const committed = yield* callStream(context, streamId, 'commit', { workerId, windowId: window.windowId, counts: outcome.counts, nowMs: nowMs(context) });
      if (!committed.ok) return { ended: staleOrThrow(committed.error, `stream(${streamId}).commit`), windowsCommitted };
      windowsCommitted++;
      yield* reportTelemetry(context, [...outcome.grants.map(permitGrantedEvent), windowCommittedEvent({
        streamId, pipeline: input.pipeline, windowId: window.windowId, events: window.events, commitAtMs: nowMs(context),
        ...(window.oldestEventAtMs === undefined ? {} : { oldestEventAtMs: window.oldestEventAtMs }),
        ...(window.correlationIds === undefined ? {} : { correlationIds: window.correlationIds }),
      })]);
      continue;
    }
    yield* reportTelemetry(context, outcome.grants.map(permitGrantedEvent));

    const failed = yield* callStream(context, streamId, 'fail', {
      workerId,
      windowId: window.windowId,
      error: outcome.error,
      suspendAfterFailures: input.suspendAfterFailures,
      nowMs: nowMs(context),
    });
    if (!failed.ok) return { ended: staleOrThrow(failed.error, `stream(${streamId}).fail`), windowsCommitted };
    if (failed.value.suspended) {
      const alert: RaiseAlertInput = {
        streamId,
        pipeline: input.pipeline,
        workerId,
        windowId: window.windowId,
        consecutiveFailures: failed.value.consecutiveFailures,
        error: outcome.error,
        atMs: nowMs(context),
        ...(window.correlationIds === undefined ? {} : { correlationIds: window.correlationIds }),
      };
      try {
        yield context.df.callActivityWithRetry(raiseAlertActivityName, retryOptions(input.retry), alert);
      } catch (error) {
        if (!context.df.isReplaying) context.error('sluice:stream alert failed', { streamId, error: errorText(error) });
      }
      return { ended: 'suspended', windowsCommitted };
    }
    yield context.df.createTimer(fireAt(context, windowBackoffInMs(input.retry, failed.value.consecutiveFailures)));
  }
  context.df.continueAsNew(input);
  return { ended: 'continuedAsNew', windowsCommitted };
}

df.app.orchestration(streamWorkerOrchestrationName, streamWorker);
