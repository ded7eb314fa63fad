/**
 * Pure stream state machine, part 3: replays of committed windows. A replay is queued on the stream and run by its
 * elected worker (`take` hands out the queue head before new windows), so it holds the per-stream lock like any
 * window: never two jobs of one stream at once. It does not move the watermark or the counters of windows.
 */
import { SluiceError } from '../errors';
import { elect, requireWorker } from './machine';
import type { Election, ElectionOptions, StreamState } from './types';

/** Replays one stream may have queued; more is refused, so a runaway client cannot grow the entity state. */
export const MAX_QUEUED_REPLAYS = 100;

export interface ReplayOptions extends ElectionOptions {
  /** One per window to replay, in the order they should run. */
  replays: ReadonlyArray<{ replayId: string; windowSeq: number }>;
}

/**
 * Queues replays of committed windows and elects the caller as worker when the stream was idle. Refused while the
 * stream is suspended (its worker does not run; resume it first) and for windows not committed yet. Idempotent per
 * `replayId`: a retried request queues nothing twice.
 */
export function requestReplay(state: StreamState, options: ReplayOptions): Election {
  const ids = { streamId: state.streamId };
  if (state.status === 'suspended') {
    throw new SluiceError('StreamSuspended', `requestReplay: stream "${state.streamId}" is suspended, so its worker does not run and no replay can. ` +
      'To fix: repair the cause, resume the stream, then ask for the replay again.', { ids });
  }
  for (const { replayId, windowSeq } of options.replays) {
    if (replayId.length === 0) throw new SluiceError('InvalidArgument', 'requestReplay: replayId is empty. To fix: pass a unique id per replay.', { ids });
    if (!Number.isInteger(windowSeq) || windowSeq < 1 || windowSeq > state.lastCommittedWindowSeq) {
      throw new SluiceError('PreconditionFailed', `requestReplay: window ${windowSeq} of stream "${state.streamId}" is not committed ` +
        `(last committed: ${state.lastCommittedWindowSeq}). To fix: replay only a committed window; see GET /api/streams/{id}/windows.`, { ids });
    }
  }
  const queued = new Set(state.replays.map((r) => r.replayId));
  const added = options.replays.filter((r) => !queued.has(r.replayId)).map((r) => ({ ...r, requestedAtMs: options.nowMs }));
  if (state.replays.length + added.length > MAX_QUEUED_REPLAYS) {
    throw new SluiceError('PreconditionFailed', `requestReplay: stream "${state.streamId}" has ${state.replays.length} replays queued; ` +
      `${added.length} more would exceed ${MAX_QUEUED_REPLAYS}. To fix: wait until the queued replays ran, or replay fewer windows.`, { ids });
  }
  return elect({ ...state, replays: [...state.replays, ...added] }, options);
}

/**
 * The worker reports that the replay `take` handed out ran (succeeded or failed: the ledger has the outcome); it
 * leaves the queue. Idempotent for a replay already gone (a retried call); only the head, between windows, can go.
 */
export function completeReplay(state: StreamState, workerId: string, replayId: string): StreamState {
  if (!state.replays.some((r) => r.replayId === replayId)) return state;
  requireWorker(state, workerId, 'completeReplay');
  if (state.openWindow !== null || state.replays[0]!.replayId !== replayId) {
    throw new SluiceError('PreconditionFailed', `completeReplay: replay "${replayId}" of stream "${state.streamId}" is not the one take handed out ` +
      `(head: ${state.replays[0]!.replayId}, open window: ${state.openWindow?.windowId ?? 'none'}). To fix: complete only the replay returned by the last take.`,
    { ids: { streamId: state.streamId, workerId } });
  }
  return { ...state, replays: state.replays.slice(1) };
}
