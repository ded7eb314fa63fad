/** Read-only views of a stream for the API and the dashboard (status, lag inputs, counters). */
import type { StreamCounters, StreamState, StreamStatus } from './types';

export interface StreamStatusView {
  streamId: string;
  status: StreamStatus;
  pendingEvents: number;
  /** When the oldest uncommitted event was appended; null when nothing is pending. */
  oldestPendingAppendedAtMs: number | null;
  /** nowMs - oldestPendingAppendedAtMs (0 when nothing is pending): how far behind the stream is. */
  lagMs: number;
  watermarkMs: number | null;
  workerId: string | null;
  workerLeaseExpiresAtMs: number | null;
  openWindowId: string | null;
  openWindowAttempts: number;
  consecutiveFailures: number;
  lastError: StreamState['lastError'];
  suspension: StreamState['suspension'];
  /** Replays waiting for the worker, oldest first (the head runs next). */
  queuedReplays: StreamState['replays'];
  counters: StreamCounters;
}

export function getStreamStatus(state: StreamState, nowMs: number): StreamStatusView {
  const oldest = state.pending[0]?.appendedAtMs ?? null;
  return {
    streamId: state.streamId,
    status: state.status,
    pendingEvents: state.pending.length,
    oldestPendingAppendedAtMs: oldest,
    lagMs: oldest === null ? 0 : Math.max(0, nowMs - oldest),
    watermarkMs: state.watermarkMs,
    workerId: state.worker?.workerId ?? null,
    workerLeaseExpiresAtMs: state.worker?.leaseExpiresAtMs ?? null,
    openWindowId: state.openWindow?.windowId ?? null,
    openWindowAttempts: state.openWindow?.attempts ?? 0,
    consecutiveFailures: state.consecutiveFailures,
    lastError: state.lastError,
    suspension: state.suspension,
    queuedReplays: state.replays,
    counters: state.counters,
  };
}
