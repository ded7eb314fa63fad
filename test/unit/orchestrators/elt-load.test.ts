import type { EltChunk, EltLoadInput } from '../../../orchestrators/elt-load-input';
import { loadApp } from '../../support/durable-app';
import { actionCount, lastAction, ReplayHarness, type OrchestratorState } from '../../support/replay';

const app = loadApp();
const t0 = Date.parse('2026-11-23T10:00:00.000Z');
const loadId = 'load-1';
const input: EltLoadInput = {
  loadId,
  pipeline: 'orders',
  container: 'landing',
  rejectsContainer: 'rejects',
  selection: { blob: 'orders/day.csv' },
  format: { kind: 'csv', gzip: false, delimiter: ',', quote: '"', newlinesInQuotes: true },
  table: { schema: 'lake', table: 'orders', keyColumns: ['id'], versionColumn: 'version', columns: [{ name: 'id', type: 'bigint' }, { name: 'version', type: 'bigint' }] },
  targetChunkBytes: 1_000,
  maxRejectRatio: 0.01,
  target: { name: 'target:pg', capacity: 2, shards: 1, leaseInMs: 600_000 },
  maxPermits: 4,
  permitRecheckInMs: 30_000,
};
const chunk = (chunkIndex: number): EltChunk => ({
  chunkIndex, file: 'orders/day.csv', etag: '"0x1"', gzip: false, range: { start: 10 + 1000 * chunkIndex, end: 1010 + 1000 * chunkIndex }, headerRange: { start: 0, end: 10 }, bytes: 1000, firstLine: 1 + 40 * chunkIndex,
});
const sources = [{ file: 'orders/day.csv', etag: '"0x1"', bytes: 3010 }];
const plan = { chunks: [chunk(0), chunk(1), chunk(2)], files: 1, bytes: 3010, sources };
const retryOptions = { firstRetryIntervalInMilliseconds: 1_000, maxNumberOfAttempts: 3, backoffCoefficient: 2 };
const chunkAction = (i: number) => ({
  actionType: 1, functionName: 'eltLoadChunk', retryOptions,
  input: { loadId, container: 'landing', rejectsContainer: 'rejects', format: input.format, table: input.table, chunk: chunk(i) },
});

async function expectNext(h: ReplayHarness, before: number, expected: Record<string, unknown>): Promise<OrchestratorState> {
  const state = await h.run();
  expect(state.error).toBeUndefined();
  expect(actionCount(state)).toBe(before + 1);
  expect(lastAction(state)).toMatchObject(expected);
  return state;
}

/** The Durable library reports a failed orchestration by throwing its final state after "$OutOfProcData$:". */
async function failedState(h: ReplayHarness): Promise<OrchestratorState & { customStatus?: unknown }> {
  const error = await h.run().then(() => undefined, (e: unknown) => e);
  const text = String(error);
  expect(text).toContain('$OutOfProcData$:');
  return JSON.parse(text.slice(text.indexOf('$OutOfProcData$:') + '$OutOfProcData$:'.length)) as OrchestratorState & { customStatus?: unknown };
}

/**
 * Plans three chunks, records the load as running in the ledger and acquires: the load asks for
 * min(maxPermits, capacity) = 2 permits, accepting 1.
 */
async function planAndAcquire(h: ReplayHarness, granted: number): Promise<void> {
  await expectNext(h, 0, { actionType: 1, functionName: 'eltPlanLoad', input: { loadId, container: 'landing', selection: input.selection, format: input.format, table: input.table, targetChunkBytes: 1_000 } });
  h.activity('eltPlanLoad', plan);
  await expectNext(h, 1, { actionType: 1, functionName: 'eltRecordLoad', input: { loadId, pipeline: 'orders', outcome: 'running', startedAt: new Date(t0).toISOString(), sources, counts: {}, durations: { totalInMs: h.now - t0, planInMs: h.now - t0 } } });
  h.activity('eltRecordLoad', { id: `load:${loadId}` });
  await expectNext(h, 2, { actionType: 7, instanceId: '@semaphore@target:pg', operation: 'acquire', input: { owner: loadId, want: 2, min: 1, leaseInMs: 600_000, capacityIfNew: 2, nowMs: h.now } });
  h.entityCall('semaphore', 'target:pg', 'acquire', { ok: true, value: { outcome: { kind: 'holding', permits: granted, leaseExpiresAtMs: h.now + 600_000 }, granted: [] } });
}

describe('eltLoad replay', () => {
  it('loads chunks in waves no wider than the permits held, then merges, drops staging and releases', async () => {
    const h = new ReplayHarness(app, 'eltLoad', loadId, input, t0);
    await planAndAcquire(h, 2);
    await expectNext(h, 3, { actionType: 12, compoundActions: [chunkAction(0), chunkAction(1)] });
    h.activity('eltLoadChunk', { chunkIndex: 0, rows: 40, rejects: 0, rejectsBlob: null });
    h.activity('eltLoadChunk', { chunkIndex: 1, rows: 39, rejects: 1, rejectsBlob: 'load-1/orders/day.csv/chunk-00001.ndjson' });
    await expectNext(h, 4, { actionType: 12, compoundActions: [chunkAction(2)] });
    h.activity('eltLoadChunk', { chunkIndex: 2, rows: 40, rejects: 0, rejectsBlob: null });
    await expectNext(h, 5, { actionType: 1, functionName: 'eltMergeLoad', input: { loadId, table: input.table, chunkCount: 3 } });
    const merge = { candidates: 119, inserted: 119, updated: 0, skippedByGuard: 0 };
    h.activity('eltMergeLoad', merge);
    await expectNext(h, 6, { actionType: 1, functionName: 'eltDropLoadStaging', input: { loadId, chunkCount: 3 } });
    h.activity('eltDropLoadStaging', { dropped: 3 });
    await expectNext(h, 7, { actionType: 7, instanceId: '@semaphore@target:pg', operation: 'release', input: { owner: loadId, nowMs: h.now } });
    h.entityCall('semaphore', 'target:pg', 'release', { ok: true, value: { granted: [] } });
    await expectNext(h, 8, { actionType: 1, functionName: 'eltRecordLoad', input: {
      loadId, pipeline: 'orders', outcome: 'succeeded', startedAt: new Date(t0).toISOString(), finishedAt: new Date(h.now).toISOString(), sources,
      counts: { rows: 119, rejects: 1, inserted: 119, updated: 0, skippedByGuard: 0 }, durations: { totalInMs: h.now - t0, planInMs: expect.any(Number), permitWaitInMs: expect.any(Number), chunksInMs: expect.any(Number), mergeInMs: expect.any(Number) } } });
    h.activity('eltRecordLoad', { id: `load:${loadId}` });
    await expectNext(h, 9, { actionType: 1, functionName: 'trackTelemetry', input: { events: [{
      name: 'Sluice.Load.Completed', properties: { loadId, pipeline: 'orders', rows: '119', rejectedRows: '1', durationMs: String(h.now - t0) },
    }] } });
    h.activity('trackTelemetry', { emitted: 1 });
    const done = await h.run();
    expect(done.isDone).toBe(true);
    expect(done.output).toEqual({ loadId, files: 1, bytes: 3010, permits: 2, merge, chunksDone: 3, chunksTotal: 3, rows: 119, rejects: 1, bytesDone: 3000, bytesTotal: 3000, bytesPerSecond: 1000 });
  });

  it('with one permit loads one chunk at a time', async () => {
    const h = new ReplayHarness(app, 'eltLoad', loadId, input, t0);
    await planAndAcquire(h, 1);
    for (let i = 0; i < 3; i++) {
      await expectNext(h, 3 + i, { actionType: 12, compoundActions: [chunkAction(i)] });
      h.activity('eltLoadChunk', { chunkIndex: i, rows: 40, rejects: 0, rejectsBlob: null });
    }
    await expectNext(h, 6, { functionName: 'eltMergeLoad' });
  });

  it('past maxRejectRatio drops staging, releases and fails naming the count and where the rejects are, without merging', async () => {
    const h = new ReplayHarness(app, 'eltLoad', loadId, input, t0);
    await planAndAcquire(h, 2);
    await h.run();
    h.activity('eltLoadChunk', { chunkIndex: 0, rows: 38, rejects: 2, rejectsBlob: 'x' });
    h.activity('eltLoadChunk', { chunkIndex: 1, rows: 40, rejects: 0, rejectsBlob: null });
    await h.run();
    h.activity('eltLoadChunk', { chunkIndex: 2, rows: 40, rejects: 0, rejectsBlob: null });
    await expectNext(h, 5, { actionType: 1, functionName: 'eltDropLoadStaging', input: { loadId, chunkCount: 3 } });
    h.activity('eltDropLoadStaging', { dropped: 3 });
    await expectNext(h, 6, { actionType: 7, operation: 'release' });
    h.entityCall('semaphore', 'target:pg', 'release', { ok: true, value: { granted: [] } });
    await expectNext(h, 7, { actionType: 1, functionName: 'eltRecordLoad', input: { outcome: 'failed', error: { code: 'RejectThresholdExceeded' }, counts: { rows: 118, rejects: 2 } } });
    h.activity('eltRecordLoad', { id: `load:${loadId}` });
    const reported = await expectNext(h, 8, { actionType: 1, functionName: 'trackTelemetry', input: { events: [{ name: 'Sluice.Load.Failed', properties: { loadId, pipeline: 'orders' } }] } });
    expect(JSON.stringify(lastAction(reported))).toContain('RejectThresholdExceeded: Load \\"load-1\\" of pipeline \\"orders\\" rejected 2 of 120 rows');
    h.activity('trackTelemetry', { emitted: 1 });
    const failed = await failedState(h);
    expect(failed.customStatus).toEqual({ chunksDone: 3, chunksTotal: 3, rows: 118, rejects: 2, bytesDone: 3000, bytesTotal: 3000, bytesPerSecond: 1000 });
    expect(failed.error).toContain('rejected 2 of 120 rows (1.67%), more than maxRejectRatio 0.01; the target table was not changed');
    expect(failed.error).toContain('container "rejects" under "load-1/"');
  });

  it('when a chunk fails after its retries drops staging, releases and fails with the chunk\'s error', async () => {
    const h = new ReplayHarness(app, 'eltLoad', loadId, input, t0);
    await planAndAcquire(h, 1);
    await expectNext(h, 3, { actionType: 12, compoundActions: [chunkAction(0)] });
    h.activityFailed('eltLoadChunk', 'SinkFailed: connection lost');
    h.retryTimer(1_000);
    h.activityFailed('eltLoadChunk', 'SinkFailed: connection lost');
    h.retryTimer(2_000);
    h.activityFailed('eltLoadChunk', 'SinkFailed: connection lost');
    h.retryTimer(4_000);
    await expectNext(h, 4, { actionType: 1, functionName: 'eltDropLoadStaging', input: { loadId, chunkCount: 3 } });
    h.activity('eltDropLoadStaging', { dropped: 3 });
    await expectNext(h, 5, { actionType: 7, operation: 'release' });
    h.entityCall('semaphore', 'target:pg', 'release', { ok: true, value: { granted: [] } });
    await expectNext(h, 6, { actionType: 1, functionName: 'eltRecordLoad', input: { outcome: 'failed', counts: {} } });
    h.activity('eltRecordLoad', { id: `load:${loadId}` });
    await expectNext(h, 7, { actionType: 1, functionName: 'trackTelemetry', input: { events: [{ name: 'Sluice.Load.Failed', properties: { loadId, pipeline: 'orders', reason: expect.stringContaining('SinkFailed: connection lost') } }] } });
    h.activity('trackTelemetry', { emitted: 1 });
    const failed = await failedState(h);
    expect(failed.error).toContain('SinkFailed: connection lost');
  });
});
