/**
 * Pure stream state machine, part 1: creation, append with worker election, take, commit, lease renewal.
 *
 * Election instead of races: the entity serialises operations, so `append` and `take` cannot interleave.
 * `take` marks the stream idle in the same operation that finds nothing pending, and `append` on an idle stream
 * elects a new worker: no wake-up can be lost and there is never more than one recorded worker.
 */
import { coalesce, countFitting, eventUntilMs, type StreamEvent } from '../coalesce';
import { SluiceError } from '../errors';
import type { CommitCounts, Election, ElectionOptions, EventOrigin, OpenWindow, PendingEvent, StreamState, TakeOptions, TakeResult } from './types';

export function createStreamState(streamId: string): StreamState {
  if (streamId.length === 0) {
    throw new SluiceError('InvalidArgument', 'createStreamState: streamId is empty. To fix: pass the stream id (the Service Bus sessionId).');
  }
  return {
    streamId,
    status: 'idle',
    pending: [],
    nextEventSeq: 1,
    committedEventSeq: 0,
    watermarkMs: null,
    worker: null,
    openWindow: null,
    nextWindowSeq: 1,
    lastCommittedWindowSeq: 0,
    consecutiveFailures: 0,
    lastError: null,
    suspension: null,
    catchUpNext: false,
    replays: [],
    recentDeliveryIds: [],
    counters: {
      eventsAppended: 0,
      eventsCommitted: 0,
      eventsDiscarded: 0,
      windowsCommitted: 0,
      rowsWritten: 0,
      rowsRejected: 0,
      failures: 0,
      lastAppendAtMs: null,
      lastSuccessAtMs: null,
    },
  };
}

/**
 * How many delivery ids a stream remembers. A redelivered batch comes back right after its lock expired, long
 * before this many newer messages of the same stream arrived; an id forgotten earlier is appended again (never
 * lost), and the version guard keeps the target right.
 */
export const MAX_RECENT_DELIVERY_IDS = 1000;

/**
 * Buffers `events` (also while suspended), skipping those whose origin's `deliveryId` was appended before, and elects the caller as worker when the stream was idle or the recorded
 * worker's lease has expired. Events of another stream are rejected.
 */
export function append(state: StreamState, events: readonly StreamEvent[], options: ElectionOptions, origins?: readonly EventOrigin[]): Election {
  if (origins !== undefined && origins.length !== events.length) {
    throw new SluiceError('InvalidArgument', `append: ${origins.length} origins for ${events.length} events of stream "${state.streamId}". ` +
      'To fix: pass one origin per event, in the same order, or none.', { ids: { streamId: state.streamId } });
  }
  for (const event of events) {
    if (event.stream !== state.streamId) {
      throw new SluiceError(
        'MessageInvalid',
        `append: event for stream "${event.stream}" sent to stream "${state.streamId}". To fix: route events by sessionId = stream.`,
        { ids: { streamId: state.streamId } },
      );
    }
  }
  const seen = new Set(state.recentDeliveryIds);
  const delivered: string[] = [];
  const pending = [...state.pending];
  let seq = state.nextEventSeq;
  events.forEach((event, i) => {
    const origin = origins?.[i];
    const deliveryId = origin?.deliveryId;
    if (deliveryId !== undefined) {
      if (seen.has(deliveryId)) return;
      seen.add(deliveryId);
      delivered.push(deliveryId);
    }
    pending.push(origin === undefined ? { seq: seq++, appendedAtMs: options.nowMs, event } : { seq: seq++, appendedAtMs: options.nowMs, event, origin });
  });
  const added = seq - state.nextEventSeq;
  if (added === 0) return currentWorker(state);
  const appended: StreamState = {
    ...state,
    pending,
    nextEventSeq: seq,
    recentDeliveryIds: delivered.length === 0 ? state.recentDeliveryIds : [...state.recentDeliveryIds, ...delivered].slice(-MAX_RECENT_DELIVERY_IDS),
    counters: { ...state.counters, eventsAppended: state.counters.eventsAppended + added, lastAppendAtMs: options.nowMs },
  };
  return elect(appended, options);
}

/**
 * Elects the caller as worker if work exists and nobody live owns it: an idle stream with pending events, or a
 * running stream whose worker's lease ended (a crashed worker). A timer calls this as the safety net; `append`
 * and `resume` call it too. Suspended streams never elect.
 */
export function elect(state: StreamState, options: ElectionOptions): Election {
  const { nowMs, candidateWorkerId, leaseInMs } = options;
  assertLease(leaseInMs, 'elect');
  if (candidateWorkerId.length === 0) {
    throw new SluiceError('InvalidArgument', 'elect: candidateWorkerId is empty. To fix: pass the id the worker orchestration will get.');
  }
  const hasWork = state.pending.length > 0 || state.replays.length > 0;
  const vacant =
    (state.status === 'idle' && hasWork) ||
    (state.status === 'running' && (state.worker === null || state.worker.leaseExpiresAtMs <= nowMs));
  if (!vacant) return currentWorker(state);
  const worker = { workerId: candidateWorkerId, leaseExpiresAtMs: nowMs + leaseInMs };
  return { state: { ...state, status: 'running', worker }, becomeWorker: true, workerId: candidateWorkerId };
}

/**
 * The worker asks for work: the open window again (a retry, or a new worker taking over a crashed one's window),
 * else the oldest queued replay (until `completeReplay`), else a new window coalescing the head of `pending` within
 * the limits (all of it after `resume`), else the stream becomes idle atomically. Renews the worker's lease.
 */
export function take(state: StreamState, workerId: string, options: TakeOptions): { state: StreamState; result: TakeResult } {
  if (state.status === 'suspended') return { state, result: { kind: 'suspended' } };
  requireWorker(state, workerId, 'take');
  assertLease(options.leaseInMs, 'take');
  const worker = { workerId, leaseExpiresAtMs: options.nowMs + options.leaseInMs };

  let open = state.openWindow;
  let next: StreamState;
  if (open !== null) {
    open = { ...open, attempts: open.attempts + 1 };
    next = { ...state, worker, openWindow: open };
  } else if (state.replays.length > 0) {
    return { state: { ...state, worker }, result: { kind: 'replay', replay: state.replays[0]! } };
  } else if (state.pending.length === 0) {
    return { state: { ...state, status: 'idle', worker: null }, result: { kind: 'idle' } };
  } else {
    const count = state.catchUpNext ? state.pending.length : countFitting(state.pending.map((p) => p.event), options.limits);
    const seq = state.nextWindowSeq;
    open = {
      windowId: `${state.streamId}/${seq}`,
      seq,
      firstEventSeq: state.pending[0]!.seq,
      lastEventSeq: state.pending[count - 1]!.seq,
      watermarkMs: state.watermarkMs,
      catchUp: state.catchUpNext,
      attempts: 1,
      firstTakenAtMs: options.nowMs,
    };
    next = { ...state, worker, openWindow: open, nextWindowSeq: seq + 1, catchUpNext: false };
  }
  const taken = windowEvents(next, open);
  const content = coalesce(taken.map((p) => p.event), open.watermarkMs, options.keys);
  return {
    state: next,
    result: {
      kind: 'window',
      window: {
        ...content,
        streamId: state.streamId,
        windowId: open.windowId,
        seq: open.seq,
        firstEventSeq: open.firstEventSeq,
        lastEventSeq: open.lastEventSeq,
        catchUp: open.catchUp,
        attempt: open.attempts,
        ...windowOrigin(taken),
      },
    },
  };
}

/**
 * Records that the open window was applied: its events leave `pending`, the watermark moves to the window's end.
 * Idempotent for a window already committed (a retried commit); a stale worker or another window is rejected.
 */
export function commit(state: StreamState, workerId: string, windowId: string, counts: CommitCounts, nowMs: number): StreamState {
  const seq = windowSeqOf(state, windowId);
  if (seq !== undefined && seq <= state.lastCommittedWindowSeq) return state;
  requireWorker(state, workerId, 'commit');
  const open = state.openWindow;
  if (open === null || open.windowId !== windowId) {
    throw new SluiceError(
      'PreconditionFailed',
      `commit: window "${windowId}" is not the open window of stream "${state.streamId}" (open: ${open?.windowId ?? 'none'}). ` +
        'To fix: commit only the window returned by the last take.',
      { ids: { streamId: state.streamId, windowId, workerId } },
    );
  }
  const events = windowEvents(state, open);
  const untilMs = openWindowUntilMs(state, open);
  const counters = state.counters;
  return {
    ...state,
    pending: state.pending.slice(events.length),
    committedEventSeq: open.lastEventSeq,
    watermarkMs: untilMs,
    openWindow: null,
    lastCommittedWindowSeq: open.seq,
    consecutiveFailures: 0,
    counters: {
      ...counters,
      eventsCommitted: counters.eventsCommitted + events.length,
      windowsCommitted: counters.windowsCommitted + 1,
      rowsWritten: counters.rowsWritten + counts.rowsWritten,
      rowsRejected: counters.rowsRejected + counts.rowsRejected,
      lastSuccessAtMs: nowMs,
    },
  };
}

/** Extends the worker's lease; a stale worker (replaced, or the stream suspended) is rejected. */
export function renewLease(state: StreamState, workerId: string, leaseInMs: number, nowMs: number): StreamState {
  requireWorker(state, workerId, 'renewLease');
  assertLease(leaseInMs, 'renewLease');
  return { ...state, worker: { workerId, leaseExpiresAtMs: nowMs + leaseInMs } };
}

/** Throws `StaleWorker` unless `workerId` is the recorded worker of a running stream. */
export function requireWorker(state: StreamState, workerId: string, where: string): void {
  if (state.status === 'running' && state.worker?.workerId === workerId) return;
  throw new SluiceError(
    'StaleWorker',
    `${where}: worker "${workerId}" is not the worker of stream "${state.streamId}" ` +
      `(status ${state.status}, recorded worker ${state.worker?.workerId ?? 'none'}). To fix: nothing to repair; ` +
      'this worker was replaced (its lease expired) or the stream was suspended, so it must stop without side effects.',
    { ids: { streamId: state.streamId, workerId } },
  );
}

/** The pending events of the open window (the head of `pending`). */
export function windowEvents(state: StreamState, open: OpenWindow): StreamState['pending'] {
  return state.pending.slice(0, open.lastEventSeq - open.firstEventSeq + 1);
}

/** The open window's end exactly as `coalesce` computes it, without merging records again. */
export function openWindowUntilMs(state: StreamState, open: OpenWindow): number {
  let untilMs = open.watermarkMs ?? -Infinity;
  for (const pending of windowEvents(state, open)) untilMs = Math.max(untilMs, eventUntilMs(pending.event));
  return untilMs;
}

/** Most correlation ids a window carries (to its ledger entry and telemetry): a catch-up window can hold thousands of events. */
export const MAX_WINDOW_CORRELATION_IDS = 20;

/** The window's distinct correlation ids (oldest first, bounded) and the enqueue time of its oldest event. */
export function windowOrigin(pending: readonly PendingEvent[]): { correlationIds: string[]; oldestEventAtMs: number } {
  const ids = new Set<string>();
  let oldest = Infinity;
  for (const p of pending) {
    if (p.origin !== undefined && ids.size < MAX_WINDOW_CORRELATION_IDS) ids.add(p.origin.correlationId);
    oldest = Math.min(oldest, p.origin?.enqueuedAtMs ?? p.appendedAtMs);
  }
  return { correlationIds: [...ids], oldestEventAtMs: oldest };
}

function currentWorker(state: StreamState): Election {
  return state.worker === null ? { state, becomeWorker: false } : { state, becomeWorker: false, workerId: state.worker.workerId };
}

function windowSeqOf(state: StreamState, windowId: string): number | undefined {
  const prefix = `${state.streamId}/`;
  if (!windowId.startsWith(prefix)) return undefined;
  const seq = Number(windowId.slice(prefix.length));
  return Number.isInteger(seq) && seq > 0 ? seq : undefined;
}

function assertLease(leaseInMs: number, where: string): void {
  if (!(leaseInMs > 0) || !Number.isFinite(leaseInMs)) {
    throw new SluiceError('InvalidArgument', `${where}: leaseInMs must be a positive finite number, got ${leaseInMs}. To fix: pass the lease length in ms.`);
  }
}
