import type { StreamEvent } from '../../../core/coalesce';
import { parseConfig, resolvePolicy } from '../../../core/config';
import { isSluiceError } from '../../../core/errors';
import {
  append,
  commit,
  createStreamState,
  elect,
  fail,
  getStreamStatus,
  reconcile,
  renewLease,
  resume,
  retryDelayInMs,
  streamViolations,
  suspend,
  take,
  type StreamState,
  type StreamWindow,
} from '../../../core/stream';

const leaseInMs = 1_000;
const takeOptions = (nowMs: number) => ({
  nowMs,
  leaseInMs,
  limits: { maxRecordsPerWindow: 3, maxBlobRefsPerWindow: 10, maxEventsPerWindow: 100 },
  keys: { keyColumns: ['id'], versionColumn: 'v' },
});
const ev = (t: number, id = t): StreamEvent => ({ stream: 'UK_Account', occurredAtMs: t, records: [{ id, v: t }] });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isSluiceError(error) ? error.code : 'not a SluiceError';
  }
  return undefined;
}

function takeWindow(state: StreamState, workerId: string, nowMs: number): { state: StreamState; window: StreamWindow } {
  const r = take(state, workerId, takeOptions(nowMs));
  if (r.result.kind !== 'window') throw new Error(`expected a window, got ${r.result.kind}`);
  return { state: r.state, window: r.result.window };
}

describe('stream append and election', () => {
  it('elects the first appender of an idle stream and not the next ones', () => {
    const first = append(createStreamState('UK_Account'), [ev(1)], { nowMs: 0, candidateWorkerId: 'w1', leaseInMs });
    expect(first).toMatchObject({ becomeWorker: true, workerId: 'w1' });
    expect(first.state.status).toBe('running');
    const second = append(first.state, [ev(2)], { nowMs: 10, candidateWorkerId: 'w2', leaseInMs });
    expect(second).toMatchObject({ becomeWorker: false, workerId: 'w1' });
    expect(second.state.pending.map((p) => p.seq)).toEqual([1, 2]);
  });

  it('re-elects when the recorded worker lease expired (a crashed worker), and the old worker becomes stale', () => {
    let state = append(createStreamState('UK_Account'), [ev(1)], { nowMs: 0, candidateWorkerId: 'w1', leaseInMs }).state;
    state = takeWindow(state, 'w1', 0).state;
    const next = append(state, [ev(2)], { nowMs: 1_000, candidateWorkerId: 'w2', leaseInMs });
    expect(next).toMatchObject({ becomeWorker: true, workerId: 'w2' });
    expect(codeOf(() => take(next.state, 'w1', takeOptions(1_001)))).toBe('StaleWorker');
    const retaken = takeWindow(next.state, 'w2', 1_001);
    expect(retaken.window).toMatchObject({ windowId: 'UK_Account/1', attempt: 2, lastEventSeq: 1 });
  });

  it('rejects events of another stream', () => {
    const other: StreamEvent = { stream: 'DE_Account', occurredAtMs: 1 };
    expect(codeOf(() => append(createStreamState('UK_Account'), [other], { nowMs: 0, candidateWorkerId: 'w', leaseInMs }))).toBe('MessageInvalid');
  });

  it('elect is the safety net for a crashed worker when no append arrives', () => {
    let state = append(createStreamState('UK_Account'), [ev(1)], { nowMs: 0, candidateWorkerId: 'w1', leaseInMs }).state;
    expect(elect(state, { nowMs: 999, candidateWorkerId: 'w2', leaseInMs }).becomeWorker).toBe(false);
    state = elect(state, { nowMs: 1_000, candidateWorkerId: 'w2', leaseInMs }).state;
    expect(state.worker).toEqual({ workerId: 'w2', leaseExpiresAtMs: 2_000 });
  });
});

describe('stream take and commit', () => {
  it('coalesces pending events within the limits, commits, and goes idle atomically when empty', () => {
    let state = append(createStreamState('UK_Account'), [ev(1), ev(2), ev(3), ev(4)], { nowMs: 0, candidateWorkerId: 'w1', leaseInMs }).state;
    const a = takeWindow(state, 'w1', 5);
    expect(a.window).toMatchObject({ windowId: 'UK_Account/1', seq: 1, firstEventSeq: 1, lastEventSeq: 3, sinceMs: null, untilMs: 3, events: 3 });
    state = commit(a.state, 'w1', a.window.windowId, { rowsWritten: 3, rowsRejected: 0 }, 6);
    expect(state.watermarkMs).toBe(3);
    const b = takeWindow(state, 'w1', 7);
    expect(b.window).toMatchObject({ seq: 2, firstEventSeq: 4, lastEventSeq: 4, sinceMs: 3, untilMs: 4 });
    state = commit(b.state, 'w1', b.window.windowId, { rowsWritten: 1, rowsRejected: 0 }, 8);
    const idle = take(state, 'w1', takeOptions(9));
    expect(idle.result).toEqual({ kind: 'idle' });
    expect(idle.state.status).toBe('idle');
    expect(idle.state.worker).toBeNull();
    expect(getStreamStatus(idle.state, 10)).toMatchObject({
      pendingEvents: 0,
      lagMs: 0,
      counters: { eventsAppended: 4, eventsCommitted: 4, windowsCommitted: 2, rowsWritten: 4, lastSuccessAtMs: 8 },
    });
    const restarted = append(idle.state, [ev(5)], { nowMs: 11, candidateWorkerId: 'w3', leaseInMs });
    expect(restarted.becomeWorker).toBe(true);
  });

  it('commit is idempotent for a committed window and rejects a stale worker or a foreign window', () => {
    let state = append(createStreamState('UK_Account'), [ev(1)], { nowMs: 0, candidateWorkerId: 'w1', leaseInMs }).state;
    const a = takeWindow(state, 'w1', 1);
    expect(codeOf(() => commit(a.state, 'w1', 'UK_Account/9', { rowsWritten: 0, rowsRejected: 0 }, 2))).toBe('PreconditionFailed');
    expect(codeOf(() => commit(a.state, 'w2', a.window.windowId, { rowsWritten: 0, rowsRejected: 0 }, 2))).toBe('StaleWorker');
    state = commit(a.state, 'w1', a.window.windowId, { rowsWritten: 1, rowsRejected: 0 }, 2);
    expect(commit(state, 'w1', a.window.windowId, { rowsWritten: 1, rowsRejected: 0 }, 3)).toBe(state);
  });

  it('renewLease extends the recorded worker and rejects others', () => {
    const state = append(createStreamState('UK_Account'), [ev(1)], { nowMs: 0, candidateWorkerId: 'w1', leaseInMs }).state;
    expect(renewLease(state, 'w1', 5_000, 100).worker).toEqual({ workerId: 'w1', leaseExpiresAtMs: 5_100 });
    expect(codeOf(() => renewLease(state, 'w2', 5_000, 100))).toBe('StaleWorker');
  });
});

describe('stream failure, suspension, resume and reconcile', () => {
  function runningWithWindow(): { state: StreamState; window: StreamWindow } {
    const state = append(createStreamState('UK_Account'), [ev(1), ev(2)], { nowMs: 0, candidateWorkerId: 'w1', leaseInMs }).state;
    return takeWindow(state, 'w1', 1);
  }

  it('keeps the window open for a retry below the limit and suspends at the limit', () => {
    const { state, window } = runningWithWindow();
    const first = fail(state, 'w1', window.windowId, { nowMs: 2, error: 'timeout', suspendAfterFailures: 2 });
    expect(first).toMatchObject({ suspended: false, consecutiveFailures: 1 });
    const retry = takeWindow(first.state, 'w1', 3);
    expect(retry.window).toMatchObject({ windowId: window.windowId, attempt: 2 });
    const second = fail(retry.state, 'w1', window.windowId, { nowMs: 4, error: 'timeout', suspendAfterFailures: 2 });
    expect(second.suspended).toBe(true);
    expect(second.state).toMatchObject({ status: 'suspended', worker: null, openWindow: null });
    expect(second.state.suspension?.reason).toContain('failed 2 times');
    expect(take(second.state, 'w1', takeOptions(5)).result).toEqual({ kind: 'suspended' });
  });

  it('keeps accepting appends while suspended and resumes with one catch-up window covering everything', () => {
    const { state, window } = runningWithWindow();
    let s = suspend(state, 'operator', 2);
    const appended = append(s, [ev(3), ev(4), ev(5), ev(6)], { nowMs: 3, candidateWorkerId: 'wx', leaseInMs });
    expect(appended.becomeWorker).toBe(false);
    const resumed = resume(appended.state, { nowMs: 4, candidateWorkerId: 'w2', leaseInMs });
    expect(resumed).toMatchObject({ becomeWorker: true, workerId: 'w2' });
    const catchUp = takeWindow(resumed.state, 'w2', 5);
    expect(catchUp.window).toMatchObject({ catchUp: true, firstEventSeq: 1, lastEventSeq: 6, events: 6, seq: window.seq + 1 });
    s = commit(catchUp.state, 'w2', catchUp.window.windowId, { rowsWritten: 6, rowsRejected: 0 }, 6);
    expect(s.pending).toEqual([]);
  });

  it('reconcile discards exactly the failed window (counted) and can set the watermark; only while suspended', () => {
    const { state, window } = runningWithWindow();
    expect(codeOf(() => reconcile(state, { nowMs: 2 }))).toBe('PreconditionFailed');
    let s = fail(state, 'w1', window.windowId, { nowMs: 2, error: 'bad row', suspendAfterFailures: 1 }).state;
    s = append(s, [ev(7)], { nowMs: 3, candidateWorkerId: 'wx', leaseInMs }).state;
    const r = reconcile(s, { nowMs: 4, discardFailedWindow: true });
    expect(r.discardedEvents).toBe(2);
    expect(r.state.pending.map((p) => p.seq)).toEqual([3]);
    expect(r.state.watermarkMs).toBe(2);
    expect(r.state.counters.eventsDiscarded).toBe(2);
    expect(codeOf(() => reconcile(r.state, { nowMs: 5, discardFailedWindow: true }))).toBe('PreconditionFailed');
    expect(reconcile(r.state, { nowMs: 5, watermarkMs: 0 }).state.watermarkMs).toBe(0);
  });

  it('a replaced or suspended worker cannot fail or commit a window', () => {
    const { state, window } = runningWithWindow();
    const s = suspend(state, 'operator', 2);
    expect(codeOf(() => fail(s, 'w1', window.windowId, { nowMs: 3, error: 'x', suspendAfterFailures: 3 }))).toBe('StaleWorker');
    expect(codeOf(() => commit(s, 'w1', window.windowId, { rowsWritten: 0, rowsRejected: 0 }, 3))).toBe('StaleWorker');
  });

  it('survives a JSON round trip at every step', () => {
    const { state } = runningWithWindow();
    const suspended = suspend(state, 'operator', 2);
    for (const s of [state, suspended]) expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('retry backoff', () => {
  const policy = { retryDelayInMs: 1_000, backoffCoefficient: 2, maxRetryDelayInMs: 5_000 };

  it('grows exponentially from the first delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => retryDelayInMs(policy, n))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(codeOf(() => retryDelayInMs(policy, 0))).toBe('InvalidArgument');
  });
});

describe('stream run-time checks', () => {
  it('reports a lost wake-up, a workerless running stream and gaps in the pending events', () => {
    const base = append(createStreamState('UK_Account'), [ev(1), ev(2)], { nowMs: 0, candidateWorkerId: 'w1', leaseInMs }).state;
    expect(streamViolations(base)).toEqual([]);
    expect(streamViolations({ ...base, status: 'idle', worker: null })).toEqual(['idle with 2 pending events (lost wake-up)']);
    expect(streamViolations({ ...base, worker: null })).toEqual(['running without a worker']);
    expect(streamViolations({ ...base, pending: base.pending.slice(1) })).toEqual([
      'pending[0] has seq 2, expected 1',
      'events 1..2 appended but 0 committed/discarded + 1 pending',
    ]);
  });
});

describe('coalescing under the default policy', () => {
  it('1,000 mixed events that arrive while the worker is busy become at most 2 further windows', () => {
    const policy = resolvePolicy(parseConfig({}), 'default');
    const options = { nowMs: 0, leaseInMs: policy.workerLeaseInMs, limits: policy.coalescing, keys: { keyColumns: ['id'], versionColumn: 'v' } };
    let state = append(createStreamState('UK_Account'), [ev(0)], { nowMs: 0, candidateWorkerId: 'w1', leaseInMs }).state;
    const busy = take(state, 'w1', options);
    state = busy.state;
    const events: StreamEvent[] = Array.from({ length: 1_000 }, (_, i) =>
      i % 3 === 0
        ? { stream: 'UK_Account', occurredAtMs: i, records: [{ id: i % 100, v: i }] }
        : i % 3 === 1
          ? { stream: 'UK_Account', occurredAtMs: i, blobRef: { url: `https://lake/uk/${i}.ndjson` } }
          : { stream: 'UK_Account', window: { sinceMs: i, untilMs: i + 1 } },
    );
    for (const event of events) state = append(state, [event], { nowMs: 1, candidateWorkerId: 'wx', leaseInMs }).state;
    if (busy.result.kind !== 'window') throw new Error('expected the first window');
    state = commit(state, 'w1', busy.result.window.windowId, { rowsWritten: 1, rowsRejected: 0 }, 2);
    let windows = 0;
    for (let r = take(state, 'w1', options); r.result.kind === 'window'; r = take(state, 'w1', options)) {
      windows++;
      state = commit(r.state, 'w1', r.result.window.windowId, { rowsWritten: 0, rowsRejected: 0 }, 3);
    }
    expect(windows).toBeLessThanOrEqual(2);
    expect(state.counters.eventsCommitted).toBe(1_001);
  });
});
