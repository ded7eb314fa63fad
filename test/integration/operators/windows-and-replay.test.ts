/**
 * A stream's ledger through the API and replays of committed windows, on the local host with the real app, Azurite,
 * PostgreSQL and the Cosmos DB stand-in. Streams get their events from `ingestBatch` started through the Durable
 * HTTP API (as the ingress starts it), so real stream workers extract, load and commit the windows.
 */
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { parseConfig, findPipeline } from '../../../core/config';
import { createCosmosClient, Ledger } from '../../../connectors/cosmos';
import { INGEST_START_RETRY, streamWorkerInputFor } from '../../../functions/stream-worker-config';
import { startLocalServices, type LocalServices } from '../../../local/services';
import { buildApp, startAppUnderTest, type AppUnderTest } from '../config/app-under-test';
import { until as waitUntil } from '../../support/stream-scenario';

const deadlineInMs = 60_000;
const t0 = 1_790_000_000_000;
const config = {
  semaphores: [{ kind: 'source', name: 'crm', capacity: 2 }, { kind: 'target', name: 'pg', capacity: 2 }],
  // One event per window, so each event is a window of its own.
  streamPolicies: [{ name: 'single', coalescing: { maxEventsPerWindow: 1 } }],
  pipelines: [{
    name: 'accounts', streams: ['UK_*'], source: { kind: 'inline' }, sourceSemaphore: 'crm',
    target: { kind: 'postgres', table: 'replayed_accounts' }, targetSemaphore: 'pg',
    keyColumns: ['id'], columns: { id: 'text', n: 'integer' }, policy: 'single',
  }],
};

interface WindowView {
  ref: string;
  seq: number | null;
  replayOf: string | null;
  outcome: string;
  startedAt: string;
  finishedAt: string | null;
  window: { from: string; until: string; events?: number } | null;
  counts: Record<string, number>;
  durations: Record<string, number>;
  files: string[];
}
interface WindowPage { streamId: string; windows: WindowView[]; continuationToken: string | null }
interface ReplayAnswer { replays: Array<{ replayId: string; windowSeq: number; statusUri: string }>; workerId: string | null; workerStarted: boolean }

/** Polls a condition until it holds; fails at the deadline (a bound, not a sleep used as synchronisation). */
const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => waitUntil(what, probe, deadlineInMs);

describe('stream windows (ledger) and window replays through the API', () => {
  let services: LocalServices;
  let app: AppUnderTest;
  let appDir: string;
  let pg: Client;

  const json = async <T>(response: Response) => (await response.json()) as T;
  const ingest = async (streamId: string, events: Array<{ id: string; n: number; atMs: number }>) => {
    const worker = streamWorkerInputFor(parseConfig(config), findPipeline(parseConfig(config), streamId)!, streamId);
    const input = { appends: [{ events: events.map((e) => ({ stream: streamId, occurredAtMs: e.atMs, records: [{ id: e.id, n: e.n }] })), worker }], startRetry: INGEST_START_RETRY };
    const response = await fetch(`${app.host.url}/runtime/webhooks/durabletask/orchestrators/ingestBatch`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input),
    });
    expect(response.status).toBe(202);
  };
  const committed = (streamId: string, windows: number) => until(`${streamId}: ${windows} windows committed`, async () => {
    const stream = await json<{ status: string; counters: { windowsCommitted: number }; queuedReplays: unknown[] }>(await app.call('GET', `streams/${streamId}`));
    return stream.counters.windowsCommitted >= windows && stream.status === 'idle' && stream.queuedReplays.length === 0 ? stream : undefined;
  });
  const replayDone = (statusUri: string) => until(`replay ${statusUri} done`, async () => {
    const status = await json<{ status: string; entry: WindowView | null }>(await app.call('GET', statusUri.replace(/^\/api\//, '')));
    return status.status === 'succeeded' || status.status === 'failed' ? status : undefined;
  });
  const rows = async () => (await pg.query<{ id: string; n: number; sluice_window_seq: string }>('select id, n, sluice_window_seq from public.replayed_accounts order by id')).rows
    .map((r) => [r.id, r.n, Number(r.sluice_window_seq)]);

  beforeAll(async () => {
    appDir = buildApp();
    services = await startLocalServices();
    app = await startAppUnderTest(appDir, { SLUICE_TASK_HUB: 'SluiceReplayTest', SLUICE_CONFIG: JSON.stringify(config) }, { services });
    pg = new Client({ connectionString: services.postgres.connectionString });
    await pg.connect();
    await ingest('UK_1', [{ id: 'a', n: 1, atMs: t0 + 1 }, { id: 'b', n: 2, atMs: t0 + 2 }, { id: 'c', n: 3, atMs: t0 + 3 }]);
    await committed('UK_1', 3);
  }, 120_000);
  afterAll(async () => {
    await pg?.end();
    await app?.stop();
    await services?.stop();
    if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
  });

  it('lists a stream\'s windows newest first with seq, range, counts, durations and outcome, paged, and links them from the stream', async () => {
    const stream = await json<{ links: { windows: string } }>(await app.call('GET', 'streams/UK_1'));
    expect(stream.links).toEqual({ windows: '/api/streams/UK_1/windows' });
    const all = await json<WindowPage>(await app.call('GET', 'streams/UK_1/windows'));
    expect(all.windows.map((w) => [w.seq, w.ref, w.outcome, w.replayOf])).toEqual([[3, 'UK_1.w3', 'succeeded', null], [2, 'UK_1.w2', 'succeeded', null], [1, 'UK_1.w1', 'succeeded', null]]);
    expect(all.continuationToken).toBeNull();
    expect(all.windows[2]).toMatchObject({ window: { until: new Date(t0 + 1).toISOString(), events: 1 }, counts: { rows: 1, inserted: 1, updated: 0, rejects: 0 } });
    expect(Object.keys(all.windows[2]!.durations).sort()).toEqual(['copyInMs', 'extractInMs', 'loadInMs', 'mergeInMs']);
    expect(all.windows[2]!.files).toHaveLength(1);

    const first = await json<WindowPage>(await app.call('GET', 'streams/UK_1/windows?top=2'));
    expect(first.windows.map((w) => w.seq)).toEqual([3, 2]);
    expect(first.continuationToken).not.toBeNull();
    const second = await json<WindowPage>(await app.call('GET', `streams/UK_1/windows?top=2&continuationToken=${encodeURIComponent(first.continuationToken!)}`));
    expect(second.windows.map((w) => w.seq)).toEqual([1]);
    expect(second.continuationToken).toBeNull();

    expect((await json<WindowPage>(await app.call('GET', 'streams/UK_1/windows?outcome=failed'))).windows).toEqual([]);
    const startedAt = all.windows[1]!.startedAt;
    const from = await json<WindowPage>(await app.call('GET', `streams/UK_1/windows?from=${encodeURIComponent(startedAt)}`));
    expect(from.windows.map((w) => w.seq)).toEqual([3, 2]);
    const to = await json<WindowPage>(await app.call('GET', `streams/UK_1/windows?to=${encodeURIComponent(startedAt)}`));
    expect(to.windows.map((w) => w.seq)).toEqual([1]);
  });

  it('answers 404 for an unknown stream and 400 naming the query parameter that is invalid', async () => {
    const unknown = await app.call('GET', 'streams/nope/windows');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'StreamNotFound', target: 'id' } });
    for (const [query, target] of [['top=0', 'top'], ['from=yesterday', 'from'], ['outcome=maybe', 'outcome'], ['continuationToken=abc', 'continuationToken'],
      ['from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'to'], ['colour=red', '(root)']] as const) {
      const response = await app.call('GET', `streams/UK_1/windows?${query}`);
      expect(response.status).toBe(400);
      const body = await json<{ error: { code: string; target: string; message: string } }>(response);
      expect(body.error).toMatchObject({ code: 'InvalidArgument', target });
      expect(body.error.message).toContain('To fix');
    }
  });

  it('replays a committed window through the stream\'s worker: lost rows come back, its own ledger entry says replayOf', async () => {
    await pg.query("delete from public.replayed_accounts where id = 'a'");
    const response = await app.call('POST', 'streams/UK_1/replay', { body: { seq: 1 } });
    expect(response.status).toBe(202);
    const answer = await json<ReplayAnswer>(response);
    expect(answer.replays).toEqual([{ replayId: expect.any(String), windowSeq: 1, statusUri: expect.stringMatching(/^\/api\/streams\/UK_1\/windows\/1\/replays\//) }]);
    expect(response.headers.get('location')).toBe(answer.replays[0]!.statusUri);
    expect(answer.workerStarted).toBe(true);

    const done = await replayDone(answer.replays[0]!.statusUri);
    expect(done).toMatchObject({ status: 'succeeded', entry: { seq: 1, replayOf: 'UK_1.w1', outcome: 'succeeded', counts: { rows: 1, inserted: 1, updated: 0 } } });
    expect(await rows()).toEqual([['a', 1, 1], ['b', 2, 2], ['c', 3, 3]]);
    await committed('UK_1', 3);
    const windows = await json<WindowPage>(await app.call('GET', 'streams/UK_1/windows'));
    expect(windows.windows[0]).toMatchObject({ seq: 1, replayOf: 'UK_1.w1', ref: `UK_1.w1.replay-${answer.replays[0]!.replayId}` });
  });

  it('replays a range: every committed window whose data ends in it, guarded so only older rows change', async () => {
    // Row b is older than its window (as after a restore from backup); row c was changed by a later write.
    await pg.query("update public.replayed_accounts set n = 20, sluice_window_seq = 1 where id = 'b'");
    await pg.query("update public.replayed_accounts set n = 30, sluice_window_seq = 9 where id = 'c'");
    const response = await app.call('POST', 'streams/UK_1/replay', { body: { sinceMs: t0 + 2, untilMs: t0 + 4 } });
    expect(response.status).toBe(202);
    const answer = await json<ReplayAnswer>(response);
    expect(answer.replays.map((r) => r.windowSeq)).toEqual([2, 3]);
    const outcomes = [];
    for (const replay of answer.replays) outcomes.push(await replayDone(replay.statusUri));
    expect(outcomes.map((o) => [o.status, o.entry?.counts])).toEqual([
      ['succeeded', { rows: 1, inserted: 0, updated: 1, skippedByGuard: 0, rejects: 0 }],
      ['succeeded', { rows: 1, inserted: 0, updated: 0, skippedByGuard: 1, rejects: 0 }],
    ]);
    expect(await rows()).toEqual([['a', 1, 1], ['b', 2, 2], ['c', 30, 9]]);
  });

  it('never runs a replay beside a window of the same stream: the ledger spans of one stream do not overlap', async () => {
    await ingest('UK_1', [{ id: 'd', n: 4, atMs: t0 + 4 }, { id: 'e', n: 5, atMs: t0 + 5 }]);
    const response = await app.call('POST', 'streams/UK_1/replay', { body: { seq: 2 } });
    expect(response.status).toBe(202);
    await replayDone((await json<ReplayAnswer>(response)).replays[0]!.statusUri);
    await committed('UK_1', 5);
    const spans = (await json<WindowPage>(await app.call('GET', 'streams/UK_1/windows?top=100'))).windows
      .map((w) => [Date.parse(w.startedAt), Date.parse(w.finishedAt!)] as const)
      .sort((x, y) => x[0] - y[0]);
    expect(spans).toHaveLength(9);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  it('refuses a replay with 404 for an unknown window or stream, 400 naming the field, and 409 while suspended (saying what to do)', async () => {
    const unknownWindow = await app.call('POST', 'streams/UK_1/replay', { body: { seq: 99 } });
    expect(unknownWindow.status).toBe(404);
    expect(await unknownWindow.json()).toMatchObject({ error: { code: 'WindowNotFound', target: 'seq' } });
    expect(await json(await app.call('POST', 'streams/UK_1/replay', { body: { sinceMs: t0 + 100, untilMs: t0 + 200 } }))).toMatchObject({ error: { code: 'WindowNotFound', target: 'sinceMs' } });
    expect((await app.call('POST', 'streams/nope/replay', { body: { seq: 1 } })).status).toBe(404);
    // A window whose load failed has nothing committed to re-apply.
    const cosmos = createCosmosClient({ endpoint: services.cosmos.endpoint, key: services.cosmos.key, endpointDiscovery: false });
    await new Ledger(cosmos.database('sluice').container('ledger')).upsertEntry({
      stream: 'UK_1', kind: 'window', ref: 'UK_1.w50', seq: 50, outcome: 'failed', startedAt: new Date().toISOString(), error: { code: 'SinkFailed', message: 'boom' },
    });
    const failedWindow = await app.call('POST', 'streams/UK_1/replay', { body: { seq: 50 } });
    expect(failedWindow.status).toBe(409);
    expect(await failedWindow.json()).toMatchObject({ error: { code: 'PreconditionFailed', target: 'seq' } });
    for (const [body, target] of [[{}, '(root)'], [{ seq: 1, sinceMs: 1 }, '(root)'], [{ seq: 0 }, 'seq'], [{ sinceMs: 5 }, 'untilMs'], [{ sinceMs: 5, untilMs: 1 }, 'untilMs'], [{ seq: 1, colour: 'red' }, '(root)']] as const) {
      const response = await app.call('POST', 'streams/UK_1/replay', { body });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'InvalidArgument', target } });
    }
    const unknownReplay = await app.call('GET', 'streams/UK_1/windows/1/replays/not-a-replay');
    expect(unknownReplay.status).toBe(404);
    expect(await unknownReplay.json()).toMatchObject({ error: { code: 'ReplayNotFound', target: 'replayId' } });

    expect((await app.call('POST', 'streams/UK_1/suspend', { body: { reason: 'target maintenance' } })).status).toBe(200);
    const suspended = await app.call('POST', 'streams/UK_1/replay', { body: { seq: 1 } });
    expect(suspended.status).toBe(409);
    const body = await json<{ error: { code: string; target: string; message: string } }>(suspended);
    expect(body.error).toMatchObject({ code: 'StreamSuspended', target: 'status' });
    expect(body.error.message).toMatch(/target maintenance.*To fix: .*resume/);
    expect((await app.call('POST', 'streams/UK_1/resume', { body: {} })).status).toBe(200);
    await app.durableIdle();
  });
});
