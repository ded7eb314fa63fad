import { isSluiceError } from '../../../core/errors';
import {
  append,
  commit,
  completeReplay,
  createStreamState,
  getStreamStatus,
  MAX_QUEUED_REPLAYS,
  requestReplay,
  streamStateSchema,
  streamViolations,
  suspend,
  take,
  type StreamState,
} from '../../../core/stream';

const leaseInMs = 1_000;
const takeOptions = (nowMs: number) => ({
  nowMs,
  leaseInMs,
  limits: { maxRecordsPerWindow: 10, maxBlobRefsPerWindow: 10, maxEventsPerWindow: 100 },
  keys: { keyColumns: ['id'], versionColumn: 'v' },
});
const election = (nowMs: number, candidateWorkerId: string) => ({ nowMs, candidateWorkerId, leaseInMs });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isSluiceError(error) ? error.code : 'not a SluiceError';
  }
  return undefined;
}

/** A stream with window 1 committed by w1 and gone idle. */
function committedStream(): StreamState {
  let state = append(createStreamState('UK_Account'), [{ stream: 'UK_Account', occurredAtMs: 1, records: [{ id: 1, v: 1 }] }], election(0, 'w1')).state;
  const taken = take(state, 'w1', takeOptions(1));
  if (taken.result.kind !== 'window') throw new Error('expected a window');
  state = commit(taken.state, 'w1', taken.result.window.windowId, { rowsWritten: 1, rowsRejected: 0 }, 2);
  const idle = take(state, 'w1', takeOptions(3));
  expect(idle.result.kind).toBe('idle');
  return idle.state;
}

describe('stream replays', () => {
  it('queues a replay of a committed window on an idle stream and elects the caller to run it', () => {
    const requested = requestReplay(committedStream(), { ...election(10, 'w2'), replays: [{ replayId: 'r1', windowSeq: 1 }] });
    expect(requested).toMatchObject({ becomeWorker: true, workerId: 'w2' });
    expect(requested.state.replays).toEqual([{ replayId: 'r1', windowSeq: 1, requestedAtMs: 10 }]);
    expect(getStreamStatus(requested.state, 10).queuedReplays).toEqual([{ replayId: 'r1', windowSeq: 1, requestedAtMs: 10 }]);
    expect(streamViolations(requested.state)).toEqual([]);
  });

  it('runs the replay before new windows, keeps it queued until completed, then takes the pending window', () => {
    let state = requestReplay(committedStream(), { ...election(10, 'w2'), replays: [{ replayId: 'r1', windowSeq: 1 }] }).state;
    state = append(state, [{ stream: 'UK_Account', occurredAtMs: 5, records: [{ id: 1, v: 5 }] }], election(11, 'w3')).state;
    const first = take(state, 'w2', takeOptions(12));
    expect(first.result).toEqual({ kind: 'replay', replay: { replayId: 'r1', windowSeq: 1, requestedAtMs: 10 } });
    // Until completed, every take (a retry, or a successor after a crash) hands out the same replay.
    expect(take(first.state, 'w2', takeOptions(13)).result).toMatchObject({ kind: 'replay', replay: { replayId: 'r1' } });
    state = completeReplay(first.state, 'w2', 'r1');
    expect(state.replays).toEqual([]);
    expect(completeReplay(state, 'w2', 'r1')).toBe(state);
    expect(take(state, 'w2', takeOptions(14)).result).toMatchObject({ kind: 'window', window: { seq: 2 } });
  });

  it('refuses a replay while suspended, of a window not committed, and beyond the queue limit; queues each id once', () => {
    const state = committedStream();
    expect(codeOf(() => requestReplay(suspend(state, 'ops', 5), { ...election(10, 'w2'), replays: [{ replayId: 'r1', windowSeq: 1 }] }))).toBe('StreamSuspended');
    expect(codeOf(() => requestReplay(state, { ...election(10, 'w2'), replays: [{ replayId: 'r1', windowSeq: 2 }] }))).toBe('PreconditionFailed');
    const once = requestReplay(state, { ...election(10, 'w2'), replays: [{ replayId: 'r1', windowSeq: 1 }] }).state;
    const again = requestReplay(once, { ...election(11, 'w3'), replays: [{ replayId: 'r1', windowSeq: 1 }] });
    expect(again).toMatchObject({ becomeWorker: false, workerId: 'w2' });
    expect(again.state.replays).toHaveLength(1);
    const many = Array.from({ length: MAX_QUEUED_REPLAYS }, (_, i) => ({ replayId: `m${i}`, windowSeq: 1 }));
    expect(codeOf(() => requestReplay(once, { ...election(12, 'w3'), replays: many }))).toBe('PreconditionFailed');
  });

  it('lets only the live worker complete the replay take handed out', () => {
    const state = requestReplay(committedStream(), { ...election(10, 'w2'), replays: [{ replayId: 'r1', windowSeq: 1 }, { replayId: 'r2', windowSeq: 1 }] }).state;
    expect(codeOf(() => completeReplay(state, 'w1', 'r1'))).toBe('StaleWorker');
    expect(codeOf(() => completeReplay(state, 'w2', 'r2'))).toBe('PreconditionFailed');
    expect(completeReplay(state, 'w2', 'r1').replays.map((r) => r.replayId)).toEqual(['r2']);
  });

  it('loads a state stored before replays existed with an empty queue', () => {
    const { replays: _replays, ...old } = committedStream();
    expect(streamStateSchema.parse(JSON.parse(JSON.stringify(old))).replays).toEqual([]);
  });
});
