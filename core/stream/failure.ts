/**
 * Pure stream state machine, part 2: failures, suspension, resume and reconcile.
 *
 * Events stay in `pending` until their window is committed, so a failed or abandoned window loses nothing:
 * a retry hands out the same window, and after a suspension `resume` makes the next window cover everything.
 */
import { SluiceError } from '../errors';
import { elect, openWindowUntilMs, requireWorker } from './machine';
import type { Election, ElectionOptions, StreamState } from './types';

export interface FailOptions {
  nowMs: number;
  /** What went wrong (kept as `lastError`, shown by the API). */
  error: string;
  /** Suspend when this many consecutive attempts have failed (policy, integer >= 1). */
  suspendAfterFailures: number;
}

export interface FailResult {
  state: StreamState;
  /** True when this failure suspended the stream: the worker must end and the caller raises an alert. */
  suspended: boolean;
  consecutiveFailures: number;
}

/**
 * The worker reports that applying the open window failed. Below the policy's limit the window stays open and
 * the worker retries it (after its backoff) through `take`; at the limit the stream is suspended.
 */
export function fail(state: StreamState, workerId: string, windowId: string, options: FailOptions): FailResult {
  requireWorker(state, workerId, 'fail');
  if (state.openWindow === null || state.openWindow.windowId !== windowId) {
    throw new SluiceError(
      'PreconditionFailed',
      `fail: window "${windowId}" is not the open window of stream "${state.streamId}" (open: ${state.openWindow?.windowId ?? 'none'}). ` +
        'To fix: report failures only for the window returned by the last take.',
      { ids: { streamId: state.streamId, windowId, workerId } },
    );
  }
  if (!Number.isInteger(options.suspendAfterFailures) || options.suspendAfterFailures < 1) {
    throw new SluiceError('InvalidArgument', `fail: suspendAfterFailures must be an integer >= 1, got ${options.suspendAfterFailures}. To fix: set the stream policy.`);
  }
  const consecutiveFailures = state.consecutiveFailures + 1;
  const failed: StreamState = {
    ...state,
    consecutiveFailures,
    lastError: { message: options.error, atMs: options.nowMs, windowId },
    counters: { ...state.counters, failures: state.counters.failures + 1 },
  };
  if (consecutiveFailures < options.suspendAfterFailures) return { state: failed, suspended: false, consecutiveFailures };
  const reason = `window ${windowId} failed ${consecutiveFailures} times in a row; last error: ${options.error}`;
  return { state: suspend(failed, reason, options.nowMs), suspended: true, consecutiveFailures };
}

/**
 * Stops processing: no worker, the open window is abandoned (its events stay pending), appends keep being
 * buffered. Idempotent: suspending a suspended stream keeps the first reason.
 */
export function suspend(state: StreamState, reason: string, nowMs: number): StreamState {
  if (state.status === 'suspended') return state;
  const open = state.openWindow;
  let failedWindow: NonNullable<StreamState['suspension']>['failedWindow'] = null;
  if (open !== null) {
    const untilMs = openWindowUntilMs(state, open);
    failedWindow = { windowId: open.windowId, firstEventSeq: open.firstEventSeq, lastEventSeq: open.lastEventSeq, untilMs };
  }
  return { ...state, status: 'suspended', worker: null, openWindow: null, suspension: { reason, atMs: nowMs, failedWindow } };
}

/**
 * Lets a suspended stream run again: the next window is one catch-up window covering everything pending, and the
 * caller is elected worker when anything is pending. On a stream that is not suspended it is just `elect`.
 */
export function resume(state: StreamState, options: ElectionOptions): Election {
  if (state.status !== 'suspended') return elect(state, options);
  const resumed: StreamState = {
    ...state,
    status: 'idle',
    suspension: null,
    consecutiveFailures: 0,
    catchUpNext: state.pending.length > 0,
  };
  return elect(resumed, options);
}

export interface ReconcileOptions {
  nowMs: number;
  /**
   * Drop the events of the window that was open when the stream suspended (the operator repaired that data by
   * other means or accepts losing it). They are counted in `counters.eventsDiscarded`. @default false
   */
  discardFailedWindow?: boolean;
  /**
   * Set the watermark (epoch ms; null = from the beginning). Moving it back makes the next window re-read that
   * range from the source; moving it forward skips a range. @default unchanged, or the failed window's end when
   * `discardFailedWindow` is set
   */
  watermarkMs?: number | null;
}

export interface ReconcileResult {
  state: StreamState;
  discardedEvents: number;
}

/**
 * Operator repair of a suspended stream before `resume`. Allowed only while suspended, so no worker can observe a
 * half-repaired state.
 */
export function reconcile(state: StreamState, options: ReconcileOptions): ReconcileResult {
  if (state.status !== 'suspended' || state.suspension === null) {
    throw new SluiceError(
      'PreconditionFailed',
      `reconcile: stream "${state.streamId}" is ${state.status}, not suspended. To fix: suspend the stream first, then reconcile, then resume.`,
      { ids: { streamId: state.streamId } },
    );
  }
  let next = state;
  let discardedEvents = 0;
  if (options.discardFailedWindow === true) {
    const failed = state.suspension.failedWindow;
    if (failed === null) {
      throw new SluiceError(
        'PreconditionFailed',
        `reconcile: stream "${state.streamId}" was suspended with no window open, so there is no failed window to discard. ` +
          'To fix: call reconcile without discardFailedWindow.',
        { ids: { streamId: state.streamId } },
      );
    }
    const pending = state.pending.filter((p) => p.seq > failed.lastEventSeq);
    discardedEvents = state.pending.length - pending.length;
    next = {
      ...next,
      pending,
      committedEventSeq: Math.max(state.committedEventSeq, failed.lastEventSeq),
      watermarkMs: state.watermarkMs === null ? failed.untilMs : Math.max(state.watermarkMs, failed.untilMs),
      suspension: { ...state.suspension, failedWindow: null },
      counters: { ...state.counters, eventsDiscarded: state.counters.eventsDiscarded + discardedEvents },
    };
  }
  if (options.watermarkMs !== undefined) next = { ...next, watermarkMs: options.watermarkMs };
  return { state: { ...next, consecutiveFailures: 0, lastError: null }, discardedEvents };
}
