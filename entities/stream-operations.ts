/**
 * The operations of the `stream` entity: input schemas and a pure dispatcher over core/stream.
 * Time is always in the input (`nowMs`): orchestrations pass `context.df.currentUtcDateTime`, the API its clock.
 */
import { z } from 'zod';
import { streamEventSchema } from '../core/coalesce';
import {
  append,
  commit,
  completeReplay,
  commitCountsSchema,
  eventOriginSchema,
  fail,
  getStreamStatus,
  reconcile,
  renewLease,
  requestReplay,
  resume,
  suspend,
  take,
  type StreamState,
  type StreamStatusView,
  type TakeResult,
} from '../core/stream';
import { parseInput, unknownOperation } from './operation';

export const streamEntityName = 'stream';

/** Re-exported for orchestrators (their lint forbids import paths containing the Node module name "stream"). */
export type { EventOrigin, ReplayRequest, StreamWindow, TakeResult } from '../core/stream';
export { eventOriginSchema } from '../core/stream';

const nowMs = z.number().int().nonnegative().describe('Current time, epoch ms.');
const leaseInMs = z.number().int().positive().describe('Worker lease length in ms.');
const workerId = z.string().min(1).describe('Instance id of the worker orchestration.');

export const coalesceLimitsSchema = z
  .object({
    maxRecordsPerWindow: z.number().int().positive(),
    maxBlobRefsPerWindow: z.number().int().positive(),
    maxEventsPerWindow: z.number().int().positive(),
  })
  .strict();

export const mergeKeysSchema = z
  .object({ keyColumns: z.array(z.string().min(1)), versionColumn: z.string().min(1).optional() })
  .strict();

export const streamOperationSchemas = {
  append: z
    .object({
      events: z.array(streamEventSchema),
      /** One per event, same order: the Service Bus message each came from (correlation). */
      origins: z.array(eventOriginSchema).optional(),
      candidateWorkerId: workerId,
      leaseInMs,
      nowMs,
    })
    .strict(),
  take: z.object({ workerId, leaseInMs, nowMs, limits: coalesceLimitsSchema, keys: mergeKeysSchema }).strict(),
  commit: z
    .object({
      workerId,
      windowId: z.string().min(1),
      counts: commitCountsSchema,
      nowMs,
    })
    .strict(),
  fail: z
    .object({ workerId, windowId: z.string().min(1), error: z.string(), suspendAfterFailures: z.number().int().positive(), nowMs })
    .strict(),
  suspend: z.object({ reason: z.string().min(1), nowMs }).strict(),
  resume: z.object({ candidateWorkerId: workerId, leaseInMs, nowMs }).strict(),
  reconcile: z
    .object({ discardFailedWindow: z.boolean().optional(), watermarkMs: z.number().int().nonnegative().nullable().optional(), nowMs })
    .strict(),
  renewLease: z.object({ workerId, leaseInMs, nowMs }).strict(),
  requestReplay: z
    .object({
      replays: z.array(z.object({ replayId: z.string().min(1), windowSeq: z.number().int().positive() }).strict()).min(1),
      candidateWorkerId: workerId,
      leaseInMs,
      nowMs,
    })
    .strict(),
  completeReplay: z.object({ workerId, replayId: z.string().min(1), nowMs }).strict(),
  get: z.object({ nowMs }).strict(),
} as const;

export type StreamOperation = keyof typeof streamOperationSchemas;
export type StreamOperationInput<O extends StreamOperation> = z.infer<(typeof streamOperationSchemas)[O]>;

/** Who must run the worker: returned by `append` and `resume`. */
export interface ElectionReply {
  becomeWorker: boolean;
  workerId: string | null;
}

export interface StreamOperationResults {
  append: ElectionReply;
  take: TakeResult;
  commit: { watermarkMs: number | null; windowsCommitted: number };
  fail: { suspended: boolean; consecutiveFailures: number };
  suspend: { status: StreamState['status'] };
  resume: ElectionReply;
  reconcile: { discardedEvents: number };
  renewLease: { leaseExpiresAtMs: number };
  requestReplay: ElectionReply;
  completeReplay: { queuedReplays: number };
  get: StreamStatusView;
}

const operations = Object.keys(streamOperationSchemas) as StreamOperation[];

function isOperation(name: string): name is StreamOperation {
  return (operations as string[]).includes(name);
}

type Handler<O extends StreamOperation> = (state: StreamState, input: StreamOperationInput<O>) => { state: StreamState; value: StreamOperationResults[O] };

/** One handler per operation; the mapped type ties each reply to what callers read (StreamOperationResults). */
const handlers: { [O in StreamOperation]: Handler<O> } = {
  append: (state, input) => {
    const election = append(state, input.events, input, input.origins);
    return { state: election.state, value: electionReply(election) };
  },
  take: (state, input) => {
    const taken = take(state, input.workerId, input);
    return { state: taken.state, value: taken.result };
  },
  commit: (state, input) => {
    const next = commit(state, input.workerId, input.windowId, input.counts, input.nowMs);
    return { state: next, value: { watermarkMs: next.watermarkMs, windowsCommitted: next.counters.windowsCommitted } };
  },
  fail: (state, input) => {
    const failed = fail(state, input.workerId, input.windowId, input);
    return { state: failed.state, value: { suspended: failed.suspended, consecutiveFailures: failed.consecutiveFailures } };
  },
  suspend: (state, input) => {
    const next = suspend(state, input.reason, input.nowMs);
    return { state: next, value: { status: next.status } };
  },
  resume: (state, input) => {
    const election = resume(state, input);
    return { state: election.state, value: electionReply(election) };
  },
  reconcile: (state, input) => {
    const reconciled = reconcile(state, input);
    return { state: reconciled.state, value: { discardedEvents: reconciled.discardedEvents } };
  },
  renewLease: (state, input) => {
    const next = renewLease(state, input.workerId, input.leaseInMs, input.nowMs);
    return { state: next, value: { leaseExpiresAtMs: next.worker?.leaseExpiresAtMs ?? input.nowMs } };
  },
  requestReplay: (state, input) => {
    const election = requestReplay(state, input);
    return { state: election.state, value: electionReply(election) };
  },
  completeReplay: (state, input) => {
    const next = completeReplay(state, input.workerId, input.replayId);
    return { state: next, value: { queuedReplays: next.replays.length } };
  },
  get: (state, input) => ({ state, value: getStreamStatus(state, input.nowMs) }),
};

function run<O extends StreamOperation>(operation: O, state: StreamState, rawInput: unknown): { state: StreamState; value: StreamOperationResults[O] } {
  const input = parseInput(streamOperationSchemas[operation], rawInput, `${streamEntityName}(${state.streamId}).${operation}`) as StreamOperationInput<O>;
  return handlers[operation](state, input);
}

/** Applies one operation to `state`; returns the next state (the same object when unchanged) and the reply value. */
export function runStreamOperation(state: StreamState, operation: string, rawInput: unknown): { state: StreamState; value: unknown } {
  if (!isOperation(operation)) throw unknownOperation(streamEntityName, operation, operations);
  return run(operation, state, rawInput);
}

function electionReply(election: { becomeWorker: boolean; workerId?: string }): ElectionReply {
  return { becomeWorker: election.becomeWorker, workerId: election.workerId ?? null };
}
