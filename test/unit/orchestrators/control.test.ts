import { streamWorkerInputFixture } from '../../support/stream-worker-fixture';
import { loadApp } from '../../support/durable-app';
import { actionCount, lastAction, ReplayHarness } from '../../support/replay';

const app = loadApp();
const t0 = Date.parse('2026-11-23T10:00:00.000Z');
const worker = streamWorkerInputFixture();

describe('streamControl replay', () => {
  it('resumes the stream and starts the worker it elected, replaying to the same state', async () => {
    const h = new ReplayHarness(app, 'streamControl', 'control-1', { command: 'resume', worker }, t0);
    expect((await h.run()).actions).toEqual([
      [{ actionType: 7, instanceId: '@stream@UK_Account', operation: 'resume', input: { candidateWorkerId: expect.stringMatching(/^stream-worker:UK_Account:[0-9a-f-]{36}$/), leaseInMs: 300_000, nowMs: t0 } }],
    ]);
    h.entityCall('stream', 'UK_Account', 'resume', { ok: true, value: { becomeWorker: true, workerId: 'stream-worker:UK_Account:g1' } });
    const starting = await h.run();
    expect(lastAction(starting)).toMatchObject({ actionType: 1, functionName: 'startStreamWorker', input: { instanceId: 'stream-worker:UK_Account:g1', worker } });
    h.activity('startStreamWorker', { instanceId: 'stream-worker:UK_Account:g1', started: true });
    const done = await h.run();
    expect(done).toMatchObject({ isDone: true, output: { command: 'resume', workerId: 'stream-worker:UK_Account:g1', workerStarted: true } });
    expect(await h.run()).toEqual(done);
  });

  it('queues replays with replay-safe ids, starts the worker the entity elected, and replays to the same state', async () => {
    const h = new ReplayHarness(app, 'streamControl', 'control-3', { command: 'replay', windowSeqs: [2, 3], worker }, t0);
    const first = await h.run();
    expect(first.actions).toEqual([[{
      actionType: 7, instanceId: '@stream@UK_Account', operation: 'requestReplay',
      input: {
        replays: [{ replayId: expect.stringMatching(/^[0-9a-f-]{36}$/), windowSeq: 2 }, { replayId: expect.stringMatching(/^[0-9a-f-]{36}$/), windowSeq: 3 }],
        candidateWorkerId: expect.stringMatching(/^stream-worker:UK_Account:/), leaseInMs: 300_000, nowMs: t0,
      },
    }]]);
    const { replays } = (lastAction(first) as { input: { replays: Array<{ replayId: string }> } }).input;
    expect(new Set(replays.map((r) => r.replayId)).size).toBe(2);
    expect(await new ReplayHarness(app, 'streamControl', 'control-3', { command: 'replay', windowSeqs: [2, 3], worker }, t0).run()).toEqual(first);
    h.entityCall('stream', 'UK_Account', 'requestReplay', { ok: true, value: { becomeWorker: true, workerId: 'stream-worker:UK_Account:g2' } });
    expect(lastAction(await h.run())).toMatchObject({ actionType: 1, functionName: 'startStreamWorker', input: { instanceId: 'stream-worker:UK_Account:g2', worker } });
    h.activity('startStreamWorker', { instanceId: 'stream-worker:UK_Account:g2', started: true });
    expect(await h.run()).toMatchObject({ isDone: true, output: { command: 'replay', replays: [{ windowSeq: 2 }, { windowSeq: 3 }], workerId: 'stream-worker:UK_Account:g2', workerStarted: true } });
  });

  it('surfaces an entity refusal as the orchestration error', async () => {
    const h = new ReplayHarness(app, 'streamControl', 'control-2', { command: 'reconcile', streamId: 'UK_Account', discardFailedWindow: true }, t0);
    await h.run();
    h.entityCall('stream', 'UK_Account', 'reconcile', { ok: false, error: { code: 'PreconditionFailed', message: 'reconcile: stream "UK_Account" is running, not suspended.', retryable: false } });
    await expect(h.run()).rejects.toThrow(/is running, not suspended/);
  });
});

describe('semaphoreControl replay', () => {
  it('sets the capacity share of every shard in parallel and notifies the grants of each', async () => {
    const h = new ReplayHarness(app, 'semaphoreControl', 'raise-1', { command: 'setCapacity', name: 'target:pg', shards: 2, capacity: 5 }, t0);
    expect((await h.run()).actions).toEqual([
      [
        {
          actionType: 12,
          compoundActions: [
            { actionType: 7, instanceId: '@semaphore@target:pg#0', operation: 'setCapacity', input: { capacity: 3, nowMs: t0 } },
            { actionType: 7, instanceId: '@semaphore@target:pg#1', operation: 'setCapacity', input: { capacity: 2, nowMs: t0 } },
          ],
        },
      ],
    ]);
    const grant = { owner: 'stream-worker:FR', permits: 1, leaseExpiresAtMs: t0 + 600_000 };
    h.entityCall('semaphore', 'target:pg#0', 'setCapacity', { ok: true, value: { capacity: 3, granted: [], rejected: [] } });
    h.entityCall('semaphore', 'target:pg#1', 'setCapacity', { ok: true, value: { capacity: 2, granted: [grant], rejected: ['big-load'] } });
    const notifying = await h.run();
    expect(actionCount(notifying)).toBe(2);
    expect(lastAction(notifying)).toMatchObject({ actionType: 1, functionName: 'notifyGrants', input: { semaphore: 'target:pg#1', grants: [grant] } });
    h.activity('notifyGrants', { notified: 1, unknownOwners: [] });
    expect(await h.run()).toMatchObject({
      isDone: true,
      output: { granted: { 'target:pg#0': [], 'target:pg#1': [grant] }, rejected: { 'target:pg#0': [], 'target:pg#1': ['big-load'] } },
    });
  });

  it('reaps every key the reaper names and notifies the owners the reclaimed permits went to', async () => {
    const h = new ReplayHarness(app, 'semaphoreControl', 'reap-1', { command: 'reapKeys', keys: ['source:crm#0', 'target:pg'] }, t0);
    expect((await h.run()).actions).toEqual([[{
      actionType: 12,
      compoundActions: [
        { actionType: 7, instanceId: '@semaphore@source:crm#0', operation: 'reap', input: { nowMs: t0 } },
        { actionType: 7, instanceId: '@semaphore@target:pg', operation: 'reap', input: { nowMs: t0 } },
      ],
    }]]);
    const grant = { owner: 'stream-worker:FR', permits: 1, leaseExpiresAtMs: t0 + 600_000 };
    h.entityCall('semaphore', 'source:crm#0', 'reap', { ok: true, value: { granted: [], reclaimed: [], nextLeaseExpiryMs: null } });
    h.entityCall('semaphore', 'target:pg', 'reap', { ok: true, value: { granted: [grant], reclaimed: [{ owner: 'crashed', permits: 1 }], nextLeaseExpiryMs: null } });
    expect(lastAction(await h.run())).toMatchObject({ actionType: 1, functionName: 'notifyGrants', input: { semaphore: 'target:pg', grants: [grant] } });
    h.activity('notifyGrants', { notified: 1, unknownOwners: [] });
    expect(await h.run()).toMatchObject({ isDone: true, output: { granted: { 'source:crm#0': [], 'target:pg': [grant] } } });
  });

  it('refuses a capacity that would leave a shard without permits', async () => {
    const h = new ReplayHarness(app, 'semaphoreControl', 'raise-2', { command: 'setCapacity', name: 'target:pg', shards: 3, capacity: 2 }, t0);
    await expect(h.run()).rejects.toThrow(/leaves a shard with 0 permits/);
  });
});
