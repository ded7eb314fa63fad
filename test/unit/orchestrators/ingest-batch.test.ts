import type { IngestBatchInput } from '../../../orchestrators/ingest-batch';
import type { StreamWorkerInput } from '../../../orchestrators/stream-worker-input';
import { loadApp } from '../../support/durable-app';
import { actionCount, lastAction, ReplayHarness } from '../../support/replay';

const app = loadApp();
const t0 = Date.parse('2026-11-23T10:00:00.000Z');
const worker = (streamId: string): StreamWorkerInput => ({
  streamId,
  pipeline: 'accounts',
  leaseInMs: 300_000,
  limits: { maxRecordsPerWindow: 100, maxBlobRefsPerWindow: 10, maxEventsPerWindow: 100 },
  keys: { keyColumns: ['id'] },
  source: { name: 'source:crm', capacity: 3, shards: 1, permits: 1, leaseInMs: 600_000 },
  target: { name: 'target:pg', capacity: 4, shards: 2, permits: 1, leaseInMs: 600_000 },
  permitRecheckInMs: 30_000,
  retry: { firstRetryIntervalInMs: 1_000, maxNumberOfAttempts: 3, backoffCoefficient: 2, maxRetryIntervalInMs: 60_000 },
  suspendAfterFailures: 5,
  windowsPerExecution: 50,
});
const event = (stream: string, t: number) => ({ stream, occurredAtMs: t, records: [{ id: t }] });
const input: IngestBatchInput = {
  appends: [
    { events: [event('UK_Account', 1), event('UK_Account', 2)], worker: worker('UK_Account') },
    { events: [event('FR_Account', 3)], worker: worker('FR_Account') },
  ],
  startRetry: { firstRetryIntervalInMs: 500, maxNumberOfAttempts: 3 },
};

describe('ingestBatch replay', () => {
  it('appends to every stream in parallel and starts only the elected workers under their fixed ids', async () => {
    const h = new ReplayHarness(app, 'ingestBatch', 'ingest-1', input, t0);
    const first = await h.run();
    expect(first.actions).toEqual([
      [
        {
          actionType: 12,
          compoundActions: [
            { actionType: 7, instanceId: '@stream@UK_Account', operation: 'append', input: { events: input.appends[0]!.events, candidateWorkerId: 'stream-worker:UK_Account', leaseInMs: 300_000, nowMs: t0 } },
            { actionType: 7, instanceId: '@stream@FR_Account', operation: 'append', input: { events: input.appends[1]!.events, candidateWorkerId: 'stream-worker:FR_Account', leaseInMs: 300_000, nowMs: t0 } },
          ],
        },
      ],
    ]);
    h.entityCall('stream', 'UK_Account', 'append', { ok: true, value: { becomeWorker: true, workerId: 'stream-worker:UK_Account' } });
    h.entityCall('stream', 'FR_Account', 'append', { ok: true, value: { becomeWorker: false, workerId: 'stream-worker:FR_Account' } });
    const second = await h.run();
    expect(actionCount(second)).toBe(2);
    expect(lastAction(second)).toEqual({
      actionType: 12,
      compoundActions: [
        {
          actionType: 1,
          functionName: 'startStreamWorker',
          input: { instanceId: 'stream-worker:UK_Account', worker: worker('UK_Account') },
          retryOptions: { firstRetryIntervalInMilliseconds: 500, maxNumberOfAttempts: 3 },
        },
      ],
    });
    h.activity('startStreamWorker', { instanceId: 'stream-worker:UK_Account', started: true });
    const done = await h.run();
    expect(done).toMatchObject({
      isDone: true,
      output: {
        appended: [
          { streamId: 'UK_Account', events: 2, workerId: 'stream-worker:UK_Account' },
          { streamId: 'FR_Account', events: 1, workerId: 'stream-worker:FR_Account' },
        ],
        workersStarted: ['UK_Account'],
      },
    });
    expect(await h.run()).toEqual(done);
  });

  it('starts nothing when no append elected a worker', async () => {
    const h = new ReplayHarness(app, 'ingestBatch', 'ingest-2', { ...input, appends: [input.appends[1]!] }, t0);
    await h.run();
    h.entityCall('stream', 'FR_Account', 'append', { ok: true, value: { becomeWorker: false, workerId: null } });
    const done = await h.run();
    expect(done).toMatchObject({ isDone: true, output: { workersStarted: [] } });
    expect(actionCount(done)).toBe(1);
  });

  it('rejects a batch that lists a stream twice', async () => {
    const h = new ReplayHarness(app, 'ingestBatch', 'ingest-3', { ...input, appends: [input.appends[0]!, input.appends[0]!] }, t0);
    await expect(h.run()).rejects.toThrow(/stream \\"UK_Account\\" appears twice/);
  });
});
