/**
 * The stream path on the real local Durable host (local/host/durable): ingress orchestrations, the stream and
 * semaphore entities, workers contending for permits and waking each other with PermitGranted. Extract and
 * load are in-memory ports that measure their own concurrency (the connectors have their own integration tests).
 */
import type { StreamEvent } from '../../../core/coalesce';
import { semaphoreViolations, type SemaphoreState } from '../../../core/semaphore';
import { streamViolations, type StreamState } from '../../../core/stream';
import type { ExtractWindowInput } from '../../../functions/activities/extract-window';
import type { IngestBatchInput } from '../../../orchestrators/ingest-batch';
import type { StreamWorkerInput } from '../../../orchestrators/stream-worker-input';
import { createDurableHost, MemoryStore } from '../../../local/host/durable';
import type { FunctionInvoker } from '../../../local/host/contracts';
import { ManualClock } from '../../../local/host/scheduling-clock';
import { createTestFunctionsHost } from '../../support/durable/functions-core';
import { waitFor, type Harness } from '../../support/durable/harness';
import { startHttpFront } from '../../support/durable/http-front';

// The app's composition root registers the connector-backed extract/load; this test registers in-memory ports.
jest.mock('../../../functions/stream-sync', () => ({}));
const mockFunctionsHost = createTestFunctionsHost({ keepLogs: false });
jest.mock('@azure/functions-core', () => mockFunctionsHost.core, { virtual: true });

const capacity = { source: 2, target: 3 };
const landed = new Map<string, ExtractWindowInput['window']>();
const applied = new Map<string, number[]>();
const rows = new Map<string, number>();
const inFlight = { extract: 0, load: 0, maxExtract: 0, maxLoad: 0 };
const activeByStream = new Map<string, number>();
let maxActivePerStream = 0;

/** Lets other invocations interleave, so overlapping activities really overlap. */
const yieldTurns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};
async function measured<T>(kind: 'extract' | 'load', streamId: string, work: () => T): Promise<T> {
  inFlight[kind]++;
  const active = (activeByStream.get(streamId) ?? 0) + 1;
  activeByStream.set(streamId, active);
  maxActivePerStream = Math.max(maxActivePerStream, active);
  if (kind === 'extract') inFlight.maxExtract = Math.max(inFlight.maxExtract, inFlight.extract);
  else inFlight.maxLoad = Math.max(inFlight.maxLoad, inFlight.load);
  try {
    await yieldTurns(20);
    return work();
  } finally {
    inFlight[kind]--;
    activeByStream.set(streamId, (activeByStream.get(streamId) ?? 1) - 1);
  }
}

let h: Harness;

beforeAll(async () => {
  /* eslint-disable @typescript-eslint/no-require-imports -- the app is loaded by its entry, as the worker does */
  require('../../../functions/index');
  const { registerExtractWindow } = require('../../../functions/activities/extract-window') as typeof import('../../../functions/activities/extract-window');
  const { registerLoadWindow } = require('../../../functions/activities/load-window') as typeof import('../../../functions/activities/load-window');
  /* eslint-enable @typescript-eslint/no-require-imports */
  registerExtractWindow({
    extractWindow: (input) =>
      measured('extract', input.streamId, () => {
        landed.set(input.window.windowId, input.window);
        return { windowId: input.window.windowId, landed: [{ url: `mem://${input.window.windowId}`, format: 'ndjson' as const, gzip: false, records: input.window.records.length, bytes: 1 }], records: input.window.records.length };
      }),
  });
  registerLoadWindow({
    loadWindow: (input) =>
      measured('load', input.streamId, () => {
        applied.set(input.streamId, [...(applied.get(input.streamId) ?? []), input.windowSeq]);
        const window = landed.get(input.windowId)!;
        for (const record of window.records) rows.set(`${input.streamId}/${String(record.id)}`, (rows.get(`${input.streamId}/${String(record.id)}`) ?? 0) + 1);
        return { rowsWritten: window.records.length, rowsRejected: 0 };
      }),
  });
  h = await startHarnessWithActivityClients();
});

/**
 * The test harness of test/support/durable, except that activities with a `durableClient` input get its payload.
 * The Functions half adds it for HTTP, timer, blob and Service Bus triggers (local/host/worker/client-inputs.ts),
 * but the Durable engine does not yet for the activities it invokes; Azure does (notifyGrants and
 * startStreamWorker need it). Remove this wrapper once local/host supplies it.
 */
async function startHarnessWithActivityClients(): Promise<Harness> {
  const base = mockFunctionsHost.invoker;
  const late: { durable?: ReturnType<typeof createDurableHost> } = {};
  const invoker: FunctionInvoker = {
    listFunctions: () => base.listFunctions(),
    invoke: (name, input) => {
      const fn = base.getFunction(name);
      const clients = Object.entries(fn?.bindings ?? {}).filter(([, b]) => b.direction === 'in' && b.type === 'durableClient');
      const missing = clients.filter(([bindingName]) => !input.inputData.some((d) => d.name === bindingName));
      const inputData = [...input.inputData, ...missing.map(([bindingName, b]) => ({ name: bindingName, data: { string: JSON.stringify(late.durable!.getDurableClientPayload(b)) } }))];
      return base.invoke(name, { ...input, inputData });
    },
  };
  const store = new MemoryStore();
  const clock = new ManualClock(Date.parse('2026-11-23T10:00:00.000Z'));
  const front = await startHttpFront(invoker);
  process.env['WEBSITE_HOSTNAME'] = new URL(front.baseUrl).host;
  const logs: Array<Record<string, unknown>> = [];
  const host = createDurableHost({
    invoker,
    store,
    clock,
    baseUrl: front.baseUrl,
    hostJson: { extensions: { durableTask: { hubName: 'SluiceStreams', maxConcurrentActivityFunctions: 16 } } },
    log: (entry) => logs.push(entry),
  });
  late.durable = host;
  front.setDurableHost(host);
  await host.start();
  return {
    host,
    store,
    clock,
    front,
    logs,
    async close() {
      await host.stop();
      await front.close();
      store.close();
    },
  };
}

afterAll(async () => {
  await h?.close();
});

const worker = (streamId: string): StreamWorkerInput => ({
  streamId,
  pipeline: 'accounts',
  leaseInMs: 600_000,
  limits: { maxRecordsPerWindow: 100, maxBlobRefsPerWindow: 10, maxEventsPerWindow: 100 },
  keys: { keyColumns: ['id'], versionColumn: 'v' },
  source: { name: 'source:crm', capacity: capacity.source, shards: 1, permits: 1, leaseInMs: 900_000 },
  target: { name: 'target:pg', capacity: capacity.target, shards: 1, permits: 1, leaseInMs: 900_000 },
  permitRecheckInMs: 60_000,
  retry: { firstRetryIntervalInMs: 1_000, maxNumberOfAttempts: 3, backoffCoefficient: 2, maxRetryIntervalInMs: 30_000 },
  suspendAfterFailures: 3,
  windowsPerExecution: 2,
});

async function startOrchestration(name: string, input: unknown): Promise<string> {
  const response = await fetch(`${h.front.baseUrl}/durabletask/orchestrators/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

const entity = <S>(id: string): S | undefined => {
  const state = h.store.getEntity(id)?.state;
  return state === undefined || state === null ? undefined : (JSON.parse(state) as S);
};

describe('stream workers on the local Durable host', () => {
  it('applies every event once, in window order per stream, never above the source and target capacities', async () => {
    const streams = Array.from({ length: 12 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    let t = 0;
    const batches: IngestBatchInput[] = [0, 1, 2].map((round) => ({
      appends: streams.map((stream) => ({
        events: [0, 1].map((k): StreamEvent => ({ stream, occurredAtMs: ++t, records: [{ id: round * 2 + k, v: t }] })),
        worker: worker(stream),
      })),
      startRetry: { firstRetryIntervalInMs: 500, maxNumberOfAttempts: 3 },
    }));
    // Rounds overlap the work of the previous one, so streams see several windows and busy workers coalesce.
    const ingests: string[] = [];
    for (const [round, b] of batches.entries()) {
      ingests.push(await startOrchestration('ingestBatch', b));
      if (round < batches.length - 1) await waitFor(h, () => ([...applied.values()].flat().length >= (round + 1) * 4 ? true : undefined), { skipTime: true, timeoutMs: 30_000 });
    }

    await waitFor(
      h,
      () =>
        ingests.every((id) => h.store.getInstance(id)?.status === 'Completed') &&
        streams.every((s) => {
          const state = entity<StreamState>(`@stream@${s}`);
          return state !== undefined && state.status === 'idle' && state.pending.length === 0;
        }) &&
        h.store.queryInstances({ instanceIdPrefix: 'stream-worker:', statuses: ['Running', 'Pending'] }).length === 0
          ? true
          : undefined,
      { skipTime: true, timeoutMs: 30_000 },
    );

    const failed = h.store.queryInstances({ statuses: ['Failed'] });
    expect(failed.map((i) => [i.instanceId, i.output])).toEqual([]);
    for (const stream of streams) {
      const state = entity<StreamState>(`@stream@${stream}`)!;
      expect(streamViolations(state)).toEqual([]);
      expect(state.counters).toMatchObject({ eventsAppended: 6, eventsCommitted: 6 });
      const seqs = applied.get(stream) ?? [];
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      for (let id = 0; id < 6; id++) expect(rows.get(`${stream}/${id}`)).toBe(1);
    }
    expect(inFlight.maxLoad).toBeLessThanOrEqual(capacity.target);
    expect(maxActivePerStream).toBe(1);
    // The source cap was reached (workers really contended) and several windows per stream were applied.
    expect(inFlight.maxExtract).toBe(capacity.source);
    expect(Math.max(...[...applied.values()].map((v) => v.length))).toBeGreaterThan(1);
    for (const key of ['source:crm', 'target:pg']) {
      const semaphore = entity<SemaphoreState>(`@semaphore@${key}`)!;
      expect(semaphoreViolations(semaphore)).toEqual([]);
      expect(semaphore).toMatchObject({ holders: {}, waiters: [] });
    }
  });
});
