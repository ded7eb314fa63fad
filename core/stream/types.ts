/**
 * Stream state: plain JSON (the stream entity stores it as is). Time is always a parameter (`nowMs`).
 */
import type { CoalescedWindow, CoalesceLimits, MergeKeys, StreamEvent } from '../coalesce';

export type StreamStatus = 'idle' | 'running' | 'suspended';

/** Where an event came from: the Service Bus message that carried it (docs/telemetry.md "Correlation"). */
export interface EventOrigin {
  /** The message's `correlationId`, else its `messageId`. */
  correlationId: string;
  /** When Service Bus enqueued the message; null when the trigger did not say. */
  enqueuedAtMs: number | null;
  /**
   * The broker's id of the message (Service Bus sequence number): the same message delivered again (a batch
   * redelivered after a crash between its append and its settlement) is recognised and not appended twice.
   */
  deliveryId?: string;
}

/** An appended event not yet committed (or discarded by `reconcile`). */
export interface PendingEvent {
  /** 1-based, consecutive per stream. */
  seq: number;
  appendedAtMs: number;
  event: StreamEvent;
  /** Absent for events appended without an origin (tests, older versions). */
  origin?: EventOrigin;
}

export interface StreamWorker {
  /** Id of the worker orchestration instance. */
  workerId: string;
  leaseExpiresAtMs: number;
}

/** The window handed out by `take` and not yet committed: the head of `pending`, `firstEventSeq..lastEventSeq`. */
export interface OpenWindow {
  windowId: string;
  /** 1-based, increasing per stream. */
  seq: number;
  firstEventSeq: number;
  lastEventSeq: number;
  /** The watermark when the window was cut (its content is recomputed from it on a retry). */
  watermarkMs: number | null;
  catchUp: boolean;
  /** How many times `take` handed it out (1 on the first attempt). */
  attempts: number;
  firstTakenAtMs: number;
}

/** What `take` returns to the worker. */
export interface StreamWindow extends CoalescedWindow {
  streamId: string;
  windowId: string;
  seq: number;
  firstEventSeq: number;
  lastEventSeq: number;
  /** True for the first window after `resume`: it covers everything pending, ignoring the limits. */
  catchUp: boolean;
  attempt: number;
  /** Distinct correlation ids of the window's events, oldest first, at most MAX_WINDOW_CORRELATION_IDS. */
  correlationIds?: string[];
  /** Enqueue time of the window's oldest event (its append time when the enqueue time is unknown): the lag's origin. */
  oldestEventAtMs?: number;
}

/**
 * An operator's request to re-apply committed window `windowSeq` from its landed data (docs/api.md, "Replay").
 * Queued on the stream and run by the stream's worker, so it never runs beside a window of the same stream.
 */
export interface ReplayRequest {
  replayId: string;
  windowSeq: number;
  requestedAtMs: number;
}

export interface StreamSuspension {
  reason: string;
  atMs: number;
  /** The window open when the stream suspended; `reconcile({ discardFailedWindow: true })` drops its events. */
  failedWindow: { windowId: string; firstEventSeq: number; lastEventSeq: number; untilMs: number } | null;
}

export interface StreamCounters {
  eventsAppended: number;
  eventsCommitted: number;
  /** Events an operator dropped with `reconcile` (counted, never silently lost). */
  eventsDiscarded: number;
  windowsCommitted: number;
  rowsWritten: number;
  rowsRejected: number;
  /** Failed attempts over the stream's life. */
  failures: number;
  lastAppendAtMs: number | null;
  lastSuccessAtMs: number | null;
}

export interface StreamState {
  streamId: string;
  status: StreamStatus;
  /** Uncommitted events in arrival order; `pending[0].seq === committedEventSeq + 1`. */
  pending: PendingEvent[];
  nextEventSeq: number;
  /** Every event with seq <= this was committed or discarded. */
  committedEventSeq: number;
  /** End of the last committed window; null before the first. */
  watermarkMs: number | null;
  worker: StreamWorker | null;
  openWindow: OpenWindow | null;
  nextWindowSeq: number;
  lastCommittedWindowSeq: number;
  consecutiveFailures: number;
  lastError: { message: string; atMs: number; windowId: string } | null;
  suspension: StreamSuspension | null;
  /** Set by `resume`: the next window covers everything pending. */
  catchUpNext: boolean;
  /** Replays waiting for the worker, oldest first; `take` hands out the head before new windows. */
  replays: ReplayRequest[];
  /** Delivery ids of the latest appended events, oldest first, at most MAX_RECENT_DELIVERY_IDS: the dedup memory. */
  recentDeliveryIds: string[];
  counters: StreamCounters;
}

/** Who should run the worker after an append, a resume or an election. */
export interface Election {
  state: StreamState;
  /** True when the caller must start a worker orchestration with id `workerId`. */
  becomeWorker: boolean;
  /** The recorded worker (the new one when `becomeWorker`). */
  workerId?: string;
}

export interface ElectionOptions {
  nowMs: number;
  /** Id the caller will give the worker orchestration if elected (from `context.df.newGuid()`). */
  candidateWorkerId: string;
  leaseInMs: number;
}

export interface TakeOptions {
  nowMs: number;
  leaseInMs: number;
  limits: CoalesceLimits;
  keys: MergeKeys;
}

export type TakeResult =
  | { kind: 'window'; window: StreamWindow }
  /** Re-apply a committed window; the worker reports it done with `completeReplay`. */
  | { kind: 'replay'; replay: ReplayRequest }
  /** Nothing pending: the stream is now idle and the worker must end. */
  | { kind: 'idle' }
  /** The stream is suspended: the worker must end. */
  | { kind: 'suspended' };

export interface CommitCounts {
  rowsWritten: number;
  rowsRejected: number;
}
