import type { EltChunk, EltLoadInput } from '../../../orchestrators/elt-load-input';
import { loadApp } from '../../support/durable-app';
import { actionCount, lastAction, ReplayHarness, type OrchestratorState } from '../../support/replay';

const app = loadApp();
const t0 = Date.parse('2026-11-23T10:00:00.000Z');
const loadId = 'load-9';
const cosmos = { database: 'lake', container: 'accounts', partitionKeyPath: '/region', shape: { keyColumns: ['id'], partitionKeyField: 'region', versionColumn: 'v', columns: { v: 'integer' as const } } };
const hook = { kind: 'webhook' as const, name: 'hook', url: 'https://example.test/h', maxRetries: 1, timeoutInMs: 1_000, retryDelayInMs: 10 };
const bus = { kind: 'serviceBusQueue' as const, name: 'bus', queueName: 'loads', connectionSetting: 'SLUICE_SERVICEBUS' };
const spec = { outboxContainer: 'outbox', format: 'csv' as const, partitionBy: 'rep', source: { kind: 'query' as const, sql: 'select rep from x' } };
const input: EltLoadInput = {
  loadId, pipeline: 'accounts', container: 'landing', rejectsContainer: 'rejects', selection: { blob: 'a.ndjson' },
  format: { kind: 'ndjson', gzip: false, delimiter: ',', quote: '"', newlinesInQuotes: true },
  cosmos, targetChunkBytes: 1_000, maxRejectRatio: 0.5,
  target: { name: 'target:cosmos', capacity: 2, shards: 1, leaseInMs: 600_000 }, maxPermits: 2, permitRecheckInMs: 30_000,
  export: spec, notify: [bus, hook],
};
const chunk = (chunkIndex: number): EltChunk => ({ chunkIndex, file: 'a.ndjson', etag: '"0x1"', gzip: false, range: null, headerRange: null, bytes: 100, firstLine: 1 });
const written = (chunkIndex: number, inserted: number, skippedByGuard: number) => ({ chunkIndex, rows: inserted + skippedByGuard, rejects: 0, rejectsBlob: null, inserted, updated: 0, skippedByGuard, retried: 1 });

async function expectNext(h: ReplayHarness, before: number, expected: Record<string, unknown>): Promise<OrchestratorState> {
  const state = await h.run();
  expect(state.error).toBeUndefined();
  expect(actionCount(state)).toBe(before + 1);
  expect(lastAction(state)).toMatchObject(expected);
  return state;
}

/** The ledger entry is written as running once the plan is known. */
async function recordedRunning(h: ReplayHarness): Promise<void> {
  await expectNext(h, 1, { functionName: 'eltRecordLoad', input: { outcome: 'running' } });
  h.activity('eltRecordLoad', { id: `load:${loadId}` });
}

/** Plans two whole-file chunks, acquires 2 permits and loads both in one wave through the Cosmos DB activity. */
async function loadTwoChunks(h: ReplayHarness): Promise<void> {
  await expectNext(h, 0, { functionName: 'eltPlanLoad' });
  h.activity('eltPlanLoad', { chunks: [chunk(0), chunk(1)], files: 2, bytes: 200, sources: [] });
  await recordedRunning(h);
  await expectNext(h, 2, { actionType: 7, operation: 'acquire' });
  h.entityCall('semaphore', 'target:cosmos', 'acquire', { ok: true, value: { outcome: { kind: 'holding', permits: 2, leaseExpiresAtMs: h.now + 600_000 }, granted: [] } });
  const base = { loadId, container: 'landing', rejectsContainer: 'rejects', format: input.format, cosmos };
  await expectNext(h, 3, { actionType: 12, compoundActions: [
    { functionName: 'eltUpsertCosmosChunk', input: { ...base, chunk: chunk(0) } }, { functionName: 'eltUpsertCosmosChunk', input: { ...base, chunk: chunk(1) } }] });
}

describe('eltLoad replay: Cosmos DB target, export and notifications', () => {
  it('writes chunks through the Cosmos DB activity with no merge or staging, exports, then notifies each target, recording a failed delivery', async () => {
    const h = new ReplayHarness(app, 'eltLoad', loadId, input, t0);
    await loadTwoChunks(h);
    h.activity('eltUpsertCosmosChunk', written(0, 10, 0));
    h.activity('eltUpsertCosmosChunk', written(1, 3, 7));
    await expectNext(h, 4, { actionType: 7, operation: 'release' });
    h.entityCall('semaphore', 'target:cosmos', 'release', { ok: true, value: { granted: [] } });
    await expectNext(h, 5, { functionName: 'eltExportLoad', input: { loadId, pipeline: 'accounts', export: spec } });
    const exported = { container: 'outbox', prefix: 'accounts/load-9/', files: 2, rows: 5, manifest: 'accounts/load-9/_manifest.json' };
    h.activity('eltExportLoad', exported);
    const state = await expectNext(h, 6, { functionName: 'eltNotifyLoad' });
    const message = (lastAction(state) as { input: { target: unknown; notification: Record<string, unknown> } }).input;
    expect(message.target).toEqual(bus);
    expect(message.notification).toEqual({
      id: 'load-9:succeeded', type: 'Sluice.Load.Succeeded', specVersion: 1, loadId, pipeline: 'accounts', outcome: 'succeeded',
      occurredAt: new Date(h.now).toISOString(), target: 'cosmos',
      progress: { chunksDone: 2, chunksTotal: 2, rows: 20, rejects: 0 },
      counts: { files: 2, bytes: 200, inserted: 13, updated: 0, skippedByGuard: 7 },
      rejects: { container: 'rejects', prefix: 'load-9/' },
      export: { container: 'outbox', prefix: 'accounts/load-9/', files: 2, manifest: 'accounts/load-9/_manifest.json' }, error: null,
    });
    h.activity('eltNotifyLoad', { delivered: true });
    await expectNext(h, 7, { functionName: 'eltNotifyLoad', input: { target: hook } });
    h.activityFailed('eltNotifyLoad', 'SinkFailed: Webhook https://example.test did not accept the POST after 2 attempt(s): HTTP 503');
    await expectNext(h, 8, { functionName: 'eltRecordLoad', input: { outcome: 'succeeded' } });
    h.activity('eltRecordLoad', { id: `load:${loadId}` });
    await expectNext(h, 9, { functionName: 'trackTelemetry' });
    h.activity('trackTelemetry', { emitted: 1 });
    const done = await h.run();
    expect(done.isDone).toBe(true);
    expect(done.output).toMatchObject({
      merge: { candidates: 20, inserted: 13, updated: 0, skippedByGuard: 7 }, export: exported,
      notifications: [{ target: 'bus', kind: 'serviceBusQueue', delivered: true }, { target: 'hook', kind: 'webhook', delivered: false, error: expect.stringContaining('HTTP 503') as unknown }],
    });
  });

  it('past maxRejectRatio fails without exporting, says the valid rows were written, and notifies the failure', async () => {
    const h = new ReplayHarness(app, 'eltLoad', loadId, input, t0);
    await loadTwoChunks(h);
    h.activity('eltUpsertCosmosChunk', { ...written(0, 2, 0), rejects: 5 });
    h.activity('eltUpsertCosmosChunk', written(1, 1, 0));
    await expectNext(h, 4, { actionType: 7, operation: 'release' });
    h.entityCall('semaphore', 'target:cosmos', 'release', { ok: true, value: { granted: [] } });
    const state = await expectNext(h, 5, { functionName: 'eltNotifyLoad' });
    const notification = (lastAction(state) as { input: { notification: { outcome: string; counts: unknown; export: unknown; error: { message: string } } } }).input.notification;
    expect(notification).toMatchObject({ outcome: 'failed', counts: null, export: null });
    expect(notification.error.message).toContain('rejected 5 of 8 rows (62.50%), more than maxRejectRatio 0.5; the documents of its valid rows were written');
  });

  it('with validateBeforeWrite checks every chunk first (nothing written) and past maxRejectRatio fails before any write', async () => {
    const checking = { ...input, cosmos: { ...cosmos, validateBeforeWrite: true }, notify: [] };
    const h = new ReplayHarness(app, 'eltLoad', loadId, checking, t0);
    await expectNext(h, 0, { functionName: 'eltPlanLoad' });
    h.activity('eltPlanLoad', { chunks: [chunk(0), chunk(1), chunk(2)], files: 3, bytes: 300, sources: [] });
    await recordedRunning(h);
    await expectNext(h, 2, { actionType: 7, operation: 'acquire' });
    h.entityCall('semaphore', 'target:cosmos', 'acquire', { ok: true, value: { outcome: { kind: 'holding', permits: 2, leaseExpiresAtMs: h.now + 600_000 }, granted: [] } });
    const check = (i: number) => ({ functionName: 'eltUpsertCosmosChunk', input: { loadId, cosmos: checking.cosmos, chunk: chunk(i), validateOnly: true } });
    await expectNext(h, 3, { actionType: 12, compoundActions: [check(0), check(1)] });
    h.activity('eltUpsertCosmosChunk', { ...written(0, 0, 0), rows: 1, rejects: 4 });
    h.activity('eltUpsertCosmosChunk', { ...written(1, 0, 0), rows: 0, rejects: 4 });
    await expectNext(h, 4, { actionType: 12, compoundActions: [check(2)] });
    h.activity('eltUpsertCosmosChunk', { ...written(2, 0, 0), rows: 1, rejects: 2 });
    await expectNext(h, 5, { actionType: 7, operation: 'release' });
    h.entityCall('semaphore', 'target:cosmos', 'release', { ok: true, value: { granted: [] } });
    await expectNext(h, 6, { functionName: 'eltRecordLoad', input: { outcome: 'failed' } });
    h.activity('eltRecordLoad', { id: `load:${loadId}` });
    await expectNext(h, 7, { functionName: 'trackTelemetry' });
    h.activity('trackTelemetry', { emitted: 1 });
    const error = await h.run().then(() => '', (e: unknown) => String(e));
    expect(error).toContain('rejected 10 of 12 rows (83.33%), more than maxRejectRatio 0.5; no document was written (every chunk was checked before writing)');
  });
});
