/**
 * The entities, orchestrations and activities together, on a deterministic in-test Durable driver: ingress
 * batches elect workers, workers contend for permits and wake each other with PermitGranted, windows land in
 * order. Extract and load use in-memory ports (the connectors are tested on their own).
 */
import type { StreamEvent } from '../../../core/coalesce';
import { semaphoreViolations, type SemaphoreState } from '../../../core/semaphore';
import { streamViolations, type StreamState } from '../../../core/stream';
import { registerExtractWindow, type ExtractWindowInput } from '../../../functions/activities/extract-window';
import { registerLoadWindow, type LoadWindowInput } from '../../../functions/activities/load-window';
import type { IngestBatchInput } from '../../../orchestrators/ingest-batch';
import type { StreamWorkerInput } from '../../../orchestrators/stream-worker-input';
import { loadApp } from '../../support/durable-app';
import { MiniDurable } from '../../support/mini-durable';

// The app's composition root registers the connector-backed extract/load; this test registers in-memory ports.
jest.mock('../../../functions/stream-sync', () => ({}));
const app = loadApp();
const landed = new Map<string, ExtractWindowInput['window']>();
const loads: LoadWindowInput[] = [];
const failingTargets = new Set<string>();
const table = new Map<string, { value: unknown; windowSeq: number }>();

registerExtractWindow({
  extractWindow: async (input) => {
    landed.set(input.window.windowId, input.window);
    return { windowId: input.window.windowId, landed: [{ url: `mem://${input.window.windowId}`, format: 'ndjson', gzip: false, records: input.window.records.length, bytes: 1 }], records: input.window.records.length };
  },
});
registerLoadWindow({
  loadWindow: async (input) => {
    if (failingTargets.has(input.streamId)) throw new Error(`target refused rows of ${input.streamId}`);
    loads.push(input);
    const window = landed.get(input.windowId)!;
    for (const record of window.records) {
      const key = `${input.streamId}/${String(record.id)}`;
      const current = table.get(key);
      if (current === undefined || current.windowSeq <= input.windowSeq) table.set(key, { value: record.v, windowSeq: input.windowSeq });
    }
    return { rowsWritten: window.records.length, rowsRejected: 0 };
  },
});

const t0 = Date.parse('2026-11-23T10:00:00.000Z');
const worker = (streamId: string): StreamWorkerInput => ({
  streamId,
  pipeline: 'accounts',
  leaseInMs: 300_000,
  limits: { maxRecordsPerWindow: 100, maxBlobRefsPerWindow: 10, maxEventsPerWindow: 100 },
  keys: { keyColumns: ['id'], versionColumn: 'v' },
  source: { name: 'source:crm', capacity: 1, shards: 1, permits: 1, leaseInMs: 600_000 },
  target: { name: 'target:pg', capacity: 2, shards: 1, permits: 1, leaseInMs: 600_000 },
  permitRecheckInMs: 60_000,
  retry: { firstRetryIntervalInMs: 1_000, maxNumberOfAttempts: 2, backoffCoefficient: 2, maxRetryIntervalInMs: 10_000 },
  suspendAfterFailures: 2,
  windowsPerExecution: 2,
});
let clock = 0;
const events = (stream: string, ids: number[]): StreamEvent[] => ids.map((id) => ({ stream, occurredAtMs: ++clock, records: [{ id, v: clock }] }));
const batch = (streams: Array<[string, number[]]>): IngestBatchInput => ({
  appends: streams.map(([stream, ids]) => ({ events: events(stream, ids), worker: worker(stream) })),
  startRetry: { firstRetryIntervalInMs: 500, maxNumberOfAttempts: 3 },
});

let host: MiniDurable;
/** The worker instances of a stream, in start order (one per election). */
const workersOf = (stream: string) => [...host.instances.values()].filter((i) => i.id.startsWith(`stream-worker:${stream}:`));
beforeEach(async () => {
  landed.clear();
  loads.length = 0;
  failingTargets.clear();
  table.clear();
  host = new MiniDurable(app, t0);
  await host.open();
});
afterEach(async () => {
  // Every entity state the run left behind is structurally sound.
  for (const [id, state] of host.entities) {
    if (state === undefined) continue;
    const violations = id.startsWith('@stream@') ? streamViolations(JSON.parse(state) as StreamState) : semaphoreViolations(JSON.parse(state) as SemaphoreState);
    expect([id, violations]).toEqual([id, []]);
  }
  await host.close();
});

describe('ingress, entities and stream workers together', () => {
  it('applies every event once and in order per stream while holding the source and target caps', async () => {
    host.create('ingestBatch', 'ingest-1', batch([['A', [1, 2]], ['B', [1]], ['C', [7, 8]]]));
    await host.runSteps(40);
    host.create('ingestBatch', 'ingest-2', batch([['A', [2, 3]], ['B', [2]], ['D', [1]]]));
    host.create('ingestBatch', 'ingest-3', batch([['A', [4]], ['C', [7]]]));
    await host.runUntilQuiet();

    const failed = [...host.instances.values()].filter((i) => i.status !== 'Completed');
    expect(failed.map((i) => [i.id, i.status, i.error])).toEqual([]);
    for (const stream of ['A', 'B', 'C', 'D']) {
      const state = host.entityState<StreamState>('stream', stream)!;
      expect(state.pending).toEqual([]);
      expect(state.counters.eventsCommitted).toBe(state.counters.eventsAppended);
      const seqs = loads.filter((l) => l.streamId === stream).map((l) => l.windowSeq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    // The newest version of each row won (A/2 was sent twice, C/7 too).
    expect([...table.keys()].sort()).toEqual(['A/1', 'A/2', 'A/3', 'A/4', 'B/1', 'B/2', 'C/7', 'C/8', 'D/1']);
    expect(table.get('A/2')!.windowSeq).toBeGreaterThan(1);
    expect(host.maxInFlight('extractWindow')).toBe(1);
    expect(host.maxInFlight('loadWindow')).toBeLessThanOrEqual(2);
    // One worker per stream at every extract and load.
    for (const a of host.activities.filter((x) => x.name === 'extractWindow' || x.name === 'loadWindow')) {
      const stream = (a.input as { streamId: string }).streamId;
      expect(a.running.filter((id) => id.startsWith(`stream-worker:${stream}:`))).toEqual([a.instanceId]);
    }
    // Waiters were woken by notifications, and every permit came back.
    expect(host.raisedEvents.filter((e) => e.name === 'PermitGranted').length).toBeGreaterThan(0);
    for (const key of ['source:crm', 'target:pg']) expect(host.entityState<SemaphoreState>('semaphore', key)).toMatchObject({ holders: {}, waiters: [] });
    // Workers continued as new to bound their history and ended idle.
    expect(workersOf('A').length).toBeGreaterThanOrEqual(1);
    for (const w of workersOf('A')) expect(w).toMatchObject({ status: 'Completed', output: { ended: 'idle' } });
    expect([...host.instances.values()].some((i) => i.name === 'streamWorker' && i.execution > 0)).toBe(true);
    // A stream that went idle was re-elected by a later batch: a new worker instance, one at a time.
    expect(host.instances.get('ingest-2')!.output).toMatchObject({ workersStarted: expect.arrayContaining(['A']) });
    expect(workersOf('A').length).toBe(2);
  });

  it('suspends a stream whose target keeps failing, alerts once, and keeps the other streams flowing', async () => {
    failingTargets.add('B');
    host.create('ingestBatch', 'ingest-1', batch([['A', [1]], ['B', [1]], ['C', [1]]]));
    await host.runUntilQuiet();
    host.create('ingestBatch', 'ingest-2', batch([['A', [2]], ['B', [2]]]));
    await host.runUntilQuiet();

    const b = host.entityState<StreamState>('stream', 'B')!;
    expect(b.status).toBe('suspended');
    expect(b.pending).toHaveLength(2);
    expect(b.suspension?.reason).toContain('target refused rows of B');
    expect(host.activities.filter((a) => a.name === 'raiseAlert').map((a) => (a.input as { streamId: string }).streamId)).toEqual(['B']);
    expect(workersOf('B').map((w) => [w.status, w.output])).toEqual([['Completed', { ended: 'suspended', windowsCommitted: 0 }]]);
    for (const stream of ['A', 'C']) expect(host.entityState<StreamState>('stream', stream)!.pending).toEqual([]);
    expect([...table.keys()].sort()).toEqual(['A/1', 'A/2', 'C/1']);
    for (const key of ['source:crm', 'target:pg']) expect(host.entityState<SemaphoreState>('semaphore', key)).toMatchObject({ holders: {}, waiters: [] });
  });

  it('resumes a suspended stream with one catch-up window covering everything that arrived meanwhile', async () => {
    failingTargets.add('B');
    host.create('ingestBatch', 'ingest-1', batch([['B', [1]]]));
    await host.runUntilQuiet();
    host.create('ingestBatch', 'ingest-2', batch([['B', [2, 3]]]));
    await host.runUntilQuiet();
    expect(host.entityState<StreamState>('stream', 'B')!.status).toBe('suspended');

    failingTargets.delete('B');
    host.create('streamControl', 'resume-B', { command: 'resume', worker: worker('B') });
    await host.runUntilQuiet();
    expect(host.instances.get('resume-B')).toMatchObject({ status: 'Completed', output: { command: 'resume', workerStarted: true } });
    expect(workersOf('B').map((w) => w.id)).toContain((host.instances.get('resume-B')!.output as { workerId: string }).workerId);
    expect(loads.filter((l) => l.streamId === 'B')).toHaveLength(1);
    expect(landed.get(loads[0]!.windowId)).toMatchObject({ catchUp: true, events: 3 });
    expect([...table.keys()].sort()).toEqual(['B/1', 'B/2', 'B/3']);
    expect(host.entityState<StreamState>('stream', 'B')).toMatchObject({ status: 'idle', pending: [] });
  });

  it('starts queued workers as soon as the source capacity is raised', async () => {
    host.create('ingestBatch', 'ingest-1', batch([['A', [1]], ['B', [1]], ['C', [1]], ['D', [1]]]));
    let waiting: SemaphoreState['waiters'] = [];
    for (let i = 0; i < 200 && waiting.length < 2; i++) {
      await host.runSteps(1);
      waiting = host.entityState<SemaphoreState>('semaphore', 'source:crm')?.waiters ?? [];
    }
    expect(waiting.length).toBeGreaterThanOrEqual(2);
    const notifiedBefore = host.raisedEvents.length;
    host.create('semaphoreControl', 'raise-1', { command: 'setCapacity', name: 'source:crm', shards: 1, capacity: 3 });
    await host.runUntilQuiet();

    const output = host.instances.get('raise-1')!.output as { granted: Record<string, Array<{ owner: string }>> };
    const granted = output.granted['source:crm']!.map((g) => g.owner);
    expect(granted.length).toBeGreaterThanOrEqual(1);
    const notified = host.raisedEvents.slice(notifiedBefore).filter((e) => e.name === 'PermitGranted').map((e) => e.instanceId);
    expect(notified).toEqual(expect.arrayContaining(granted));
    expect(host.maxInFlight('extractWindow')).toBeGreaterThan(1);
    expect(host.maxInFlight('extractWindow')).toBeLessThanOrEqual(3);
    expect([...table.keys()].sort()).toEqual(['A/1', 'B/1', 'C/1', 'D/1']);
    expect(host.entityState<SemaphoreState>('semaphore', 'source:crm')).toMatchObject({ capacity: 3, holders: {}, waiters: [] });
  });
});
