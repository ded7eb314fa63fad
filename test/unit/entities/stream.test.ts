import type { StreamEvent } from '../../../core/coalesce';
import type { StreamState } from '../../../core/stream';
import { loadApp } from '../../support/durable-app';
import { runBatch } from '../../support/entity-batch';

const app = loadApp();
const streamId = 'UK_Account';
const leaseInMs = 60_000;
const limits = { maxRecordsPerWindow: 100, maxBlobRefsPerWindow: 10, maxEventsPerWindow: 100 };
const keys = { keyColumns: ['id'], versionColumn: 'v' };
const ev = (t: number): StreamEvent => ({ stream: streamId, occurredAtMs: t, records: [{ id: t, v: t }] });

describe('stream entity', () => {
  it('elects the first appender, hands it a coalesced window and commits it in one batch', async () => {
    const out = await runBatch<StreamState>(app, 'stream', streamId, undefined, [
      { name: 'append', input: { events: [ev(1), ev(2)], candidateWorkerId: 'stream-worker:UK_Account', leaseInMs, nowMs: 10 } },
      { name: 'append', input: { events: [ev(3)], candidateWorkerId: 'someone-else', leaseInMs, nowMs: 11 } },
      { name: 'take', input: { workerId: 'stream-worker:UK_Account', leaseInMs, nowMs: 12, limits, keys } },
      { name: 'commit', input: { workerId: 'stream-worker:UK_Account', windowId: 'UK_Account/1', counts: { rowsWritten: 3, rowsRejected: 0 }, nowMs: 13 } },
      { name: 'get', input: { nowMs: 14 } },
    ]);
    expect(out.errors).toEqual([]);
    expect(out.results[0]).toEqual({ ok: true, value: { becomeWorker: true, workerId: 'stream-worker:UK_Account' } });
    expect(out.results[1]).toEqual({ ok: true, value: { becomeWorker: false, workerId: 'stream-worker:UK_Account' } });
    expect(out.results[2]).toMatchObject({ ok: true, value: { kind: 'window', window: { windowId: 'UK_Account/1', events: 3, recordsIn: 3, untilMs: 3 } } });
    expect(out.results[3]).toEqual({ ok: true, value: { watermarkMs: 3, windowsCommitted: 1 } });
    expect(out.results[4]).toMatchObject({ ok: true, value: { status: 'running', pendingEvents: 0, counters: { eventsAppended: 3, eventsCommitted: 3, rowsWritten: 3 } } });
    expect(out.state?.pending).toEqual([]);
  });

  it('goes idle on an empty take so the next append elects again', async () => {
    const first = await runBatch<StreamState>(app, 'stream', streamId, undefined, [
      { name: 'append', input: { events: [ev(1)], candidateWorkerId: 'w', leaseInMs, nowMs: 1 } },
      { name: 'take', input: { workerId: 'w', leaseInMs, nowMs: 2, limits, keys } },
      { name: 'commit', input: { workerId: 'w', windowId: 'UK_Account/1', counts: { rowsWritten: 1, rowsRejected: 0 }, nowMs: 3 } },
      { name: 'take', input: { workerId: 'w', leaseInMs, nowMs: 4, limits, keys } },
    ]);
    expect(first.results[3]).toEqual({ ok: true, value: { kind: 'idle' } });
    const second = await runBatch(app, 'stream', streamId, first.state, [
      { name: 'append', input: { events: [ev(5)], candidateWorkerId: 'w', leaseInMs, nowMs: 5 } },
    ]);
    expect(second.results[0]).toEqual({ ok: true, value: { becomeWorker: true, workerId: 'w' } });
  });

  it('queues a replay of a committed window, hands it out before new windows, and refuses one on a suspended stream as a reply', async () => {
    const out = await runBatch<StreamState>(app, 'stream', streamId, undefined, [
      { name: 'append', input: { events: [ev(1)], candidateWorkerId: 'w1', leaseInMs, nowMs: 1 } },
      { name: 'take', input: { workerId: 'w1', leaseInMs, nowMs: 2, limits, keys } },
      { name: 'commit', input: { workerId: 'w1', windowId: 'UK_Account/1', counts: { rowsWritten: 1, rowsRejected: 0 }, nowMs: 3 } },
      { name: 'take', input: { workerId: 'w1', leaseInMs, nowMs: 4, limits, keys } },
      { name: 'requestReplay', input: { replays: [{ replayId: 'r1', windowSeq: 1 }], candidateWorkerId: 'w2', leaseInMs, nowMs: 5 } },
      { name: 'append', input: { events: [ev(6)], candidateWorkerId: 'w3', leaseInMs, nowMs: 6 } },
      { name: 'take', input: { workerId: 'w2', leaseInMs, nowMs: 7, limits, keys } },
      { name: 'completeReplay', input: { workerId: 'w2', replayId: 'r1', nowMs: 8 } },
      { name: 'take', input: { workerId: 'w2', leaseInMs, nowMs: 9, limits, keys } },
      { name: 'suspend', input: { reason: 'ops', nowMs: 10 } },
      { name: 'requestReplay', input: { replays: [{ replayId: 'r2', windowSeq: 1 }], candidateWorkerId: 'w4', leaseInMs, nowMs: 11 } },
    ]);
    expect(out.errors).toEqual([]);
    expect(out.results[4]).toEqual({ ok: true, value: { becomeWorker: true, workerId: 'w2' } });
    expect(out.results[6]).toEqual({ ok: true, value: { kind: 'replay', replay: { replayId: 'r1', windowSeq: 1, requestedAtMs: 5 } } });
    expect(out.results[7]).toEqual({ ok: true, value: { queuedReplays: 0 } });
    expect(out.results[8]).toMatchObject({ ok: true, value: { kind: 'window', window: { seq: 2 } } });
    expect(out.results[10]).toMatchObject({ ok: false, error: { code: 'StreamSuspended' } });
    expect(out.state?.replays).toEqual([]);
  });

  it('answers a stale worker with a StaleWorker reply and leaves the state unchanged', async () => {
    const started = await runBatch<StreamState>(app, 'stream', streamId, undefined, [
      { name: 'append', input: { events: [ev(1)], candidateWorkerId: 'w1', leaseInMs, nowMs: 1 } },
    ]);
    const out = await runBatch(app, 'stream', streamId, started.state, [
      { name: 'take', input: { workerId: 'w2', leaseInMs, nowMs: 2, limits, keys } },
    ]);
    expect(out.errors).toEqual([]);
    expect(out.results[0]).toMatchObject({ ok: false, error: { code: 'StaleWorker' } });
    expect(out.state).toEqual(started.state);
  });

  it('suspends after the configured failures, buffers appends, and resumes with one catch-up window', async () => {
    const out = await runBatch<StreamState>(app, 'stream', streamId, undefined, [
      { name: 'append', input: { events: [ev(1)], candidateWorkerId: 'w', leaseInMs, nowMs: 1 } },
      { name: 'take', input: { workerId: 'w', leaseInMs, nowMs: 2, limits: { ...limits, maxEventsPerWindow: 1 }, keys } },
      { name: 'fail', input: { workerId: 'w', windowId: 'UK_Account/1', error: 'pg down', suspendAfterFailures: 2, nowMs: 3 } },
      { name: 'fail', input: { workerId: 'w', windowId: 'UK_Account/1', error: 'pg down', suspendAfterFailures: 2, nowMs: 4 } },
      { name: 'append', input: { events: [ev(5), ev(6)], candidateWorkerId: 'w', leaseInMs, nowMs: 5 } },
      { name: 'resume', input: { candidateWorkerId: 'w', leaseInMs, nowMs: 6 } },
      { name: 'take', input: { workerId: 'w', leaseInMs, nowMs: 7, limits: { ...limits, maxEventsPerWindow: 1 }, keys } },
    ]);
    expect(out.errors).toEqual([]);
    expect(out.results[2]).toEqual({ ok: true, value: { suspended: false, consecutiveFailures: 1 } });
    expect(out.results[3]).toEqual({ ok: true, value: { suspended: true, consecutiveFailures: 2 } });
    expect(out.results[4]).toEqual({ ok: true, value: { becomeWorker: false, workerId: null } });
    expect(out.results[5]).toEqual({ ok: true, value: { becomeWorker: true, workerId: 'w' } });
    expect(out.results[6]).toMatchObject({ ok: true, value: { kind: 'window', window: { catchUp: true, events: 3 } } });
  });

  it('reconciles a suspended stream by discarding the failed window', async () => {
    const out = await runBatch<StreamState>(app, 'stream', streamId, undefined, [
      { name: 'append', input: { events: [ev(1), ev(2)], candidateWorkerId: 'w', leaseInMs, nowMs: 1 } },
      { name: 'take', input: { workerId: 'w', leaseInMs, nowMs: 2, limits, keys } },
      { name: 'suspend', input: { reason: 'operator', nowMs: 3 } },
      { name: 'renewLease', input: { workerId: 'w', leaseInMs, nowMs: 4 } },
      { name: 'reconcile', input: { discardFailedWindow: true, nowMs: 5 } },
    ]);
    expect(out.results[2]).toEqual({ ok: true, value: { status: 'suspended' } });
    expect(out.results[3]).toMatchObject({ ok: false, error: { code: 'StaleWorker' } });
    expect(out.results[4]).toEqual({ ok: true, value: { discardedEvents: 2 } });
    expect(out.state?.counters.eventsDiscarded).toBe(2);
  });

  it('rejects invalid input and unknown operations with InvalidArgument replies naming the path', async () => {
    const out = await runBatch(app, 'stream', streamId, undefined, [
      { name: 'append', input: { events: [{ stream: streamId }], candidateWorkerId: 'w', leaseInMs, nowMs: 1 } },
      { name: 'explode', input: {} },
    ]);
    expect(out.errors).toEqual([]);
    expect(out.results[0]).toMatchObject({ ok: false, error: { code: 'InvalidArgument', message: expect.stringContaining('"events.0') } });
    expect(out.results[1]).toMatchObject({ ok: false, error: { code: 'InvalidArgument', message: expect.stringContaining('unknown operation "explode"') } });
    expect(out.state).toBeUndefined();
  });

  it('refuses to work on a stored state it cannot read, naming the field, and leaves it untouched', async () => {
    const broken = { streamId, status: 'paused' } as unknown as StreamState;
    const out = await runBatch<StreamState>(app, 'stream', streamId, broken, [{ name: 'get', input: { nowMs: 1 } }]);
    expect(out.errors).toEqual([]);
    expect(out.results[0]).toMatchObject({ ok: false, error: { code: 'PreconditionFailed', message: expect.stringContaining('stored state invalid at "status"') } });
    expect(out.state).toEqual(broken);
  });
});
