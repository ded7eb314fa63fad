import type { StreamWindow } from '../../../core/stream';
import { streamWorkerInputFixture } from '../../support/stream-worker-fixture';
import type { StreamWorkerInput } from '../../../orchestrators/stream-worker-input';
import { loadApp } from '../../support/durable-app';
import { actionCount, lastAction, ReplayHarness, type OrchestratorState } from '../../support/replay';

const app = loadApp();
const t0 = Date.parse('2026-11-23T10:00:00.000Z');
const instanceId = 'stream-worker:UK_Account';
const workerInput = streamWorkerInputFixture({
  keys: { keyColumns: ['id'], versionColumn: 'v' },
  retry: { firstRetryIntervalInMs: 1_000, maxNumberOfAttempts: 2, backoffCoefficient: 2, maxRetryIntervalInMs: 60_000 },
  suspendAfterFailures: 2,
  windowsPerExecution: 5,
});
const retryOptions = { firstRetryIntervalInMilliseconds: 1_000, maxNumberOfAttempts: 2, backoffCoefficient: 2, maxRetryIntervalInMilliseconds: 60_000 };
const window: StreamWindow = {
  streamId: 'UK_Account',
  windowId: 'UK_Account/1',
  seq: 1,
  firstEventSeq: 1,
  lastEventSeq: 2,
  catchUp: false,
  attempt: 1,
  sinceMs: null,
  untilMs: 2,
  records: [{ id: 1, v: 2 }],
  blobRefs: [],
  notifications: 0,
  events: 2,
  recordsIn: 2,
  correlationIds: ['order-7', 'msg-2'],
  oldestEventAtMs: t0 - 5_000,
};
const granted = (semaphore: string) => ({ name: 'Sluice.Permit.Granted', properties: { semaphore, owner: instanceId, permits: '1', waitedMs: '0' } });
const extracted = { windowId: 'UK_Account/1', landed: [{ url: 'https://lake/UK_Account/1.ndjson', format: 'ndjson', gzip: false, records: 1, bytes: 20 }], records: 1 };
const holding = (leaseExpiresAtMs: number) => ({ ok: true, value: { outcome: { kind: 'holding', permits: 1, leaseExpiresAtMs }, granted: [] } });

const entityAction = (key: string, operation: string, input: Record<string, unknown>) => ({ actionType: 7, instanceId: key, operation, input });

function harness(input: StreamWorkerInput = workerInput): ReplayHarness {
  return new ReplayHarness(app, 'streamWorker', instanceId, input, t0);
}

/** Runs and checks that exactly one action was added and it matches `expected`. */
async function expectNext(h: ReplayHarness, before: number, expected: Record<string, unknown>): Promise<OrchestratorState> {
  const state = await h.run();
  expect(state.error).toBeUndefined();
  expect(actionCount(state)).toBe(before + 1);
  expect(lastAction(state)).toMatchObject(expected);
  return state;
}

/** Drives take -> acquire -> extract -> release -> acquire -> load -> release -> commit for the window. */
async function applyOneWindow(h: ReplayHarness, before: number): Promise<number> {
  let n = before;
  h.entityCall('stream', 'UK_Account', 'take', { ok: true, value: { kind: 'window', window } });
  await expectNext(h, n++, entityAction('@semaphore@source:crm', 'acquire', { owner: instanceId, want: 1, leaseInMs: 600_000, capacityIfNew: 3, nowMs: h.now }));
  h.entityCall('semaphore', 'source:crm', 'acquire', holding(h.now + 600_000));
  await expectNext(h, n++, { actionType: 1, functionName: 'extractWindow', retryOptions, input: { streamId: 'UK_Account', pipeline: 'accounts', window } });
  h.activity('extractWindow', extracted);
  await expectNext(h, n++, entityAction('@semaphore@source:crm', 'release', { owner: instanceId, nowMs: h.now }));
  h.entityCall('semaphore', 'source:crm', 'release', { ok: true, value: { granted: [] } });
  await expectNext(h, n++, entityAction('@semaphore@target:pg', 'acquire', { owner: instanceId, want: 1, leaseInMs: 600_000, capacityIfNew: 4, nowMs: h.now }));
  h.entityCall('semaphore', 'target:pg', 'acquire', holding(h.now + 600_000));
  await expectNext(h, n++, {
    actionType: 1,
    functionName: 'loadWindow',
    input: { streamId: 'UK_Account', pipeline: 'accounts', windowId: 'UK_Account/1', windowSeq: 1, extracted },
  });
  h.activity('loadWindow', { rowsWritten: 1, rowsRejected: 0 });
  await expectNext(h, n++, entityAction('@semaphore@target:pg', 'release', { owner: instanceId, nowMs: h.now }));
  h.entityCall('semaphore', 'target:pg', 'release', { ok: true, value: { granted: [] } });
  await expectNext(h, n++, entityAction('@stream@UK_Account', 'commit', { workerId: instanceId, windowId: 'UK_Account/1', counts: { rowsWritten: 1, rowsRejected: 0 }, nowMs: h.now }));
  h.entityCall('stream', 'UK_Account', 'commit', { ok: true, value: { watermarkMs: 2, windowsCommitted: 1 } });
  await expectNext(h, n++, { actionType: 1, functionName: 'trackTelemetry', input: { events: [granted('source:crm'), granted('target:pg'), {
    name: 'Sluice.Window.Committed',
    properties: { streamId: 'UK_Account', pipeline: 'accounts', windowId: 'UK_Account/1', events: '2', lagMs: String(h.now - (t0 - 5_000)), correlationId: 'order-7', correlationIds: 'order-7,msg-2' },
  }] } });
  h.activity('trackTelemetry', { emitted: 3 });
  return n;
}

describe('streamWorker replay', () => {
  it('takes, extracts and loads under permits, commits, and ends when the stream goes idle', async () => {
    const h = harness();
    const first = await expectNext(h, 0, entityAction('@stream@UK_Account', 'take', { workerId: instanceId, leaseInMs: 300_000, nowMs: t0, limits: workerInput.limits, keys: workerInput.keys }));
    expect(first.isDone).toBe(false);
    const n = await applyOneWindow(h, 1);
    await expectNext(h, n, entityAction('@stream@UK_Account', 'take', { workerId: instanceId, nowMs: h.now }));
    h.entityCall('stream', 'UK_Account', 'take', { ok: true, value: { kind: 'idle' } });
    const done = await h.run();
    expect(done).toMatchObject({ isDone: true, output: { ended: 'idle', windowsCommitted: 1 } });
    expect(actionCount(done)).toBe(n + 1);
  });

  it('produces the same actions when the same history is replayed', async () => {
    const h = harness();
    await h.run();
    await applyOneWindow(h, 1);
    const once = await h.run();
    const twice = await h.run();
    expect(twice).toEqual(once);
  });

  it('continues as new with the same input after windowsPerExecution windows', async () => {
    const h = harness({ ...workerInput, windowsPerExecution: 1 });
    await h.run();
    const n = await applyOneWindow(h, 1);
    const state = await h.run();
    expect(state.isDone).toBe(true);
    expect(actionCount(state)).toBe(n + 1);
    expect(lastAction(state)).toEqual({ actionType: 4, input: { ...workerInput, windowsPerExecution: 1 } });
  });

  it('waits for PermitGranted raced with a re-check timer, then confirms the grant with the entity', async () => {
    const h = harness();
    await h.run();
    h.entityCall('stream', 'UK_Account', 'take', { ok: true, value: { kind: 'window', window } });
    await h.run();
    h.entityCall('semaphore', 'source:crm', 'acquire', { ok: true, value: { outcome: { kind: 'waiting', position: 2 }, granted: [] } });
    const waiting = await expectNext(h, 2, {
      actionType: 11,
      compoundActions: [
        { actionType: 6, externalEventName: 'PermitGranted', reason: 'ExternalEvent' },
        { actionType: 5, fireAt: new Date(h.now + 30_000).toISOString(), isCanceled: false },
      ],
    });
    expect(waiting.isDone).toBe(false);
    const fireAtMs = h.now + 30_000;
    h.timerCreated(fireAtMs);
    h.raise('PermitGranted', { semaphore: 'source:crm', permits: 1, leaseExpiresAtMs: h.now + 600_000 });
    const rechecked = await expectNext(h, 3, entityAction('@semaphore@source:crm', 'acquire', { owner: instanceId, nowMs: h.now }));
    expect((rechecked.actions[0]![2] as { compoundActions: Array<{ isCanceled?: boolean }> }).compoundActions[1]!.isCanceled).toBe(true);
    h.entityCall('semaphore', 'source:crm', 'acquire', holding(h.now + 600_000));
    await expectNext(h, 4, { actionType: 1, functionName: 'extractWindow' });
  });

  it('reaps expired leases and re-asks when the re-check timer fires first, notifying whoever the reap granted', async () => {
    const h = harness();
    await h.run();
    h.entityCall('stream', 'UK_Account', 'take', { ok: true, value: { kind: 'window', window } });
    await h.run();
    h.entityCall('semaphore', 'source:crm', 'acquire', { ok: true, value: { outcome: { kind: 'waiting', position: 1 }, granted: [] } });
    await h.run();
    const fireAtMs = h.now + 30_000;
    h.timer(fireAtMs);
    await expectNext(h, 3, entityAction('@stream@UK_Account', 'renewLease', { workerId: instanceId, leaseInMs: 300_000, nowMs: fireAtMs }));
    h.entityCall('stream', 'UK_Account', 'renewLease', { ok: true, value: { leaseExpiresAtMs: fireAtMs + 300_000 } });
    await expectNext(h, 4, entityAction('@semaphore@source:crm', 'reap', { nowMs: h.now }));
    const grants = [
      { owner: instanceId, permits: 1, leaseExpiresAtMs: fireAtMs + 600_000 },
      { owner: 'stream-worker:FR_Account', permits: 1, leaseExpiresAtMs: fireAtMs + 600_000 },
    ];
    h.entityCall('semaphore', 'source:crm', 'reap', { ok: true, value: { granted: grants, reclaimed: [{ owner: 'gone', permits: 2 }], nextLeaseExpiryMs: null } });
    await expectNext(h, 5, { actionType: 1, functionName: 'notifyGrants', input: { semaphore: 'source:crm', grants: [grants[1]] } });
    h.activity('notifyGrants', { notified: 1, unknownOwners: [] });
    await expectNext(h, 6, entityAction('@semaphore@source:crm', 'acquire', { owner: instanceId }));
  });

  it('leaves the permit queue and stops when its stream lease was taken over during the wait', async () => {
    const h = harness();
    await h.run();
    h.entityCall('stream', 'UK_Account', 'take', { ok: true, value: { kind: 'window', window } });
    await h.run();
    h.entityCall('semaphore', 'source:crm', 'acquire', { ok: true, value: { outcome: { kind: 'waiting', position: 3 }, granted: [] } });
    await h.run();
    h.timer(h.now + 30_000);
    await h.run();
    h.entityCall('stream', 'UK_Account', 'renewLease', { ok: false, error: { code: 'StaleWorker', message: 'replaced', retryable: false } });
    await expectNext(h, 4, entityAction('@semaphore@source:crm', 'cancel', { owner: instanceId }));
    h.entityCall('semaphore', 'source:crm', 'cancel', { ok: true, value: { granted: [] } });
    await expectNext(h, 5, entityAction('@stream@UK_Account', 'fail', { workerId: instanceId, error: expect.stringContaining('StaleWorker') }));
    h.entityCall('stream', 'UK_Account', 'fail', { ok: false, error: { code: 'StaleWorker', message: 'replaced', retryable: false } });
    expect(await h.run()).toMatchObject({ isDone: true, output: { ended: 'replaced', windowsCommitted: 0 } });
  });

  it('notifies the owners its release granted before moving on', async () => {
    const h = harness();
    await h.run();
    h.entityCall('stream', 'UK_Account', 'take', { ok: true, value: { kind: 'window', window } });
    await h.run();
    h.entityCall('semaphore', 'source:crm', 'acquire', holding(h.now + 600_000));
    await h.run();
    h.activity('extractWindow', extracted);
    await h.run();
    const grant = { owner: 'stream-worker:FR_Account', permits: 1, leaseExpiresAtMs: h.now + 600_000 };
    h.entityCall('semaphore', 'source:crm', 'release', { ok: true, value: { granted: [grant] } });
    await expectNext(h, 4, { actionType: 1, functionName: 'notifyGrants', input: { semaphore: 'source:crm', grants: [grant] } });
    h.activity('notifyGrants', { notified: 1, unknownOwners: [] });
    await expectNext(h, 5, entityAction('@semaphore@target:pg', 'acquire', { owner: instanceId }));
  });

  it('releases the permit, reports the failure, backs off and retries the window when the extract keeps failing', async () => {
    const h = harness();
    await h.run();
    h.entityCall('stream', 'UK_Account', 'take', { ok: true, value: { kind: 'window', window } });
    await h.run();
    h.entityCall('semaphore', 'source:crm', 'acquire', holding(h.now + 600_000));
    await h.run();
    h.activityFailed('extractWindow', 'source 503');
    h.retryTimer(1_000);
    h.activityFailed('extractWindow', 'source 503');
    h.retryTimer(2_000);
    await expectNext(h, 3, entityAction('@semaphore@source:crm', 'release', { owner: instanceId }));
    h.entityCall('semaphore', 'source:crm', 'release', { ok: true, value: { granted: [] } });
    await expectNext(h, 4, { actionType: 1, functionName: 'trackTelemetry', input: { events: [granted('source:crm')] } });
    h.activity('trackTelemetry', { emitted: 1 });
    await expectNext(h, 5, entityAction('@stream@UK_Account', 'fail', {
      workerId: instanceId,
      windowId: 'UK_Account/1',
      error: 'extract: source 503 \n stack',
      suspendAfterFailures: 2,
      nowMs: h.now,
    }));
    h.entityCall('stream', 'UK_Account', 'fail', { ok: true, value: { suspended: false, consecutiveFailures: 1 } });
    // Backoff continues the activity's: 1 s x 2^(2 attempts + 1 failure - 1) = 4 s.
    await expectNext(h, 6, { actionType: 5, fireAt: new Date(h.now + 4_000).toISOString() });
    h.timer(h.now + 4_000);
    await expectNext(h, 7, entityAction('@stream@UK_Account', 'take', { workerId: instanceId }));
  });

  it('raises an alert and ends when the failure suspends the stream', async () => {
    const h = harness();
    await h.run();
    h.entityCall('stream', 'UK_Account', 'take', { ok: true, value: { kind: 'window', window: { ...window, attempt: 2 } } });
    await h.run();
    h.entityCall('semaphore', 'source:crm', 'acquire', holding(h.now + 600_000));
    await h.run();
    h.activity('extractWindow', extracted);
    await h.run();
    h.entityCall('semaphore', 'source:crm', 'release', { ok: true, value: { granted: [] } });
    await h.run();
    h.entityCall('semaphore', 'target:pg', 'acquire', holding(h.now + 600_000));
    await h.run();
    h.activityFailed('loadWindow', 'duplicate key');
    h.retryTimer(1_000);
    h.activityFailed('loadWindow', 'duplicate key');
    h.retryTimer(2_000);
    await h.run();
    h.entityCall('semaphore', 'target:pg', 'release', { ok: true, value: { granted: [] } });
    await expectNext(h, 7, { actionType: 1, functionName: 'trackTelemetry', input: { events: [granted('source:crm'), granted('target:pg')] } });
    h.activity('trackTelemetry', { emitted: 2 });
    await h.run();
    h.entityCall('stream', 'UK_Account', 'fail', { ok: true, value: { suspended: true, consecutiveFailures: 2 } });
    await expectNext(h, 9, {
      actionType: 1,
      functionName: 'raiseAlert',
      input: {
        streamId: 'UK_Account', pipeline: 'accounts', workerId: instanceId, windowId: 'UK_Account/1', consecutiveFailures: 2,
        error: 'load: duplicate key \n stack', atMs: h.now, correlationIds: ['order-7', 'msg-2'],
      },
    });
    h.activity('raiseAlert', { event: 'Sluice.Stream.Suspended' });
    expect(await h.run()).toMatchObject({ isDone: true, output: { ended: 'suspended', windowsCommitted: 0 } });
  });

  it('runs a queued replay under the target permit only, completes it, and takes again', async () => {
    const h = harness();
    await h.run();
    const replay = { replayId: 'r1', windowSeq: 1, requestedAtMs: t0 };
    h.entityCall('stream', 'UK_Account', 'take', { ok: true, value: { kind: 'replay', replay } });
    await expectNext(h, 1, entityAction('@semaphore@target:pg', 'acquire', { owner: instanceId, want: 1, leaseInMs: 600_000, capacityIfNew: 4, nowMs: h.now }));
    h.entityCall('semaphore', 'target:pg', 'acquire', holding(h.now + 600_000));
    await expectNext(h, 2, { actionType: 1, functionName: 'replayWindow', retryOptions, input: { streamId: 'UK_Account', pipeline: 'accounts', replayId: 'r1', windowSeq: 1 } });
    h.activity('replayWindow', { rowsWritten: 1, rowsRejected: 0 });
    await expectNext(h, 3, entityAction('@semaphore@target:pg', 'release', { owner: instanceId, nowMs: h.now }));
    h.entityCall('semaphore', 'target:pg', 'release', { ok: true, value: { granted: [] } });
    await expectNext(h, 4, entityAction('@stream@UK_Account', 'completeReplay', { workerId: instanceId, replayId: 'r1', nowMs: h.now }));
    h.entityCall('stream', 'UK_Account', 'completeReplay', { ok: true, value: { queuedReplays: 0 } });
    await expectNext(h, 5, entityAction('@stream@UK_Account', 'take', { workerId: instanceId }));
  });

  it('completes a failed replay without failing the stream (the ledger keeps its outcome)', async () => {
    const h = harness();
    await h.run();
    h.entityCall('stream', 'UK_Account', 'take', { ok: true, value: { kind: 'replay', replay: { replayId: 'r1', windowSeq: 1, requestedAtMs: t0 } } });
    await h.run();
    h.entityCall('semaphore', 'target:pg', 'acquire', holding(h.now + 600_000));
    await h.run();
    h.activityFailed('replayWindow', 'landing blob gone');
    h.retryTimer(1_000);
    h.activityFailed('replayWindow', 'landing blob gone');
    h.retryTimer(2_000);
    await expectNext(h, 3, entityAction('@semaphore@target:pg', 'release', { owner: instanceId }));
    h.entityCall('semaphore', 'target:pg', 'release', { ok: true, value: { granted: [] } });
    await expectNext(h, 4, entityAction('@stream@UK_Account', 'completeReplay', { workerId: instanceId, replayId: 'r1' }));
    h.entityCall('stream', 'UK_Account', 'completeReplay', { ok: false, error: { code: 'StaleWorker', message: 'replaced', retryable: false } });
    expect(await h.run()).toMatchObject({ isDone: true, output: { ended: 'replaced', windowsCommitted: 0 } });
  });

  it('stops quietly when the entity says it is no longer the worker', async () => {
    const h = harness();
    await h.run();
    h.entityCall('stream', 'UK_Account', 'take', { ok: false, error: { code: 'StaleWorker', message: 'replaced', retryable: false } });
    expect(await h.run()).toMatchObject({ isDone: true, output: { ended: 'replaced', windowsCommitted: 0 } });
  });

  it('fails with ConfigInvalid naming the field when its input is invalid', async () => {
    const h = harness({ ...workerInput, permitRecheckInMs: 0 });
    const state = await h.run().catch((error: Error) => error);
    expect(String(state)).toContain('permitRecheckInMs');
  });
});
