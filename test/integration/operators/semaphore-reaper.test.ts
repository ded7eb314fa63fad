/**
 * The semaphore reaper timer on the local host, driven by a manual clock (timer triggers and Durable time): at its
 * occurrence it reclaims expired leases of every semaphore, also one nobody waits on, and the waiter a reclaimed
 * permit is granted to is woken by notification (its own re-check is a day away). Real app, Azurite, PostgreSQL,
 * Cosmos DB stand-in.
 */
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { findPipeline, parseConfig } from '../../../core/config';
import { INGEST_START_RETRY, streamWorkerInputFor } from '../../../functions/stream-worker-config';
import { ManualClock } from '../../../local/host/scheduling-clock';
import { startLocalServices, type LocalServices } from '../../../local/services';
import { buildApp, startAppUnderTest, type AppUnderTest } from '../config/app-under-test';
import { until as waitUntil } from '../../support/stream-scenario';

const deadlineInMs = 60_000;
const t0 = Date.parse('2026-11-23T10:00:10Z');
const config = {
  semaphores: [{ kind: 'source', name: 'crm', capacity: 1 }, { kind: 'target', name: 'pg', capacity: 1 }],
  pipelines: [{
    name: 'accounts', streams: ['UK_*'], source: { kind: 'inline' }, sourceSemaphore: 'crm',
    target: { kind: 'postgres', table: 'reaped_accounts' }, targetSemaphore: 'pg', keyColumns: ['id'], columns: { id: 'text' },
  }],
};

interface SemaphoreView {
  held: number;
  holders: Array<{ owner: string; leaseExpiresAt: string }>;
  waiters: Array<{ owner: string; position: number }>;
}

const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => waitUntil(what, probe, deadlineInMs);

describe('semaphore reaper timer', () => {
  let services: LocalServices;
  let app: AppUnderTest;
  let appDir: string;
  let pg: Client;
  const clock = new ManualClock(t0);

  const semaphore = async (name: string) => (await (await app.call('GET', `semaphores/${name}`)).json()) as SemaphoreView;
  const durable = (path: string, body: unknown) =>
    fetch(`${app.host.url}/runtime/webhooks/durabletask/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    appDir = buildApp();
    services = await startLocalServices();
    app = await startAppUnderTest(appDir, { SLUICE_TASK_HUB: 'SluiceReaperTest', SLUICE_CONFIG: JSON.stringify(config) }, { services, clock });
    pg = new Client({ connectionString: services.postgres.connectionString });
    await pg.connect();
  }, 120_000);
  afterAll(async () => {
    await pg?.end();
    await app?.stop();
    await services?.stop();
    if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
  });

  it('reclaims expired leases at its occurrence, idle semaphores included, and wakes the waiter granted by notification', async () => {
    // Two owners that crashed while holding: 30 s leases, ending at 10:00:40.
    for (const [key, owner] of [['source:crm', 'crashed-extract'], ['target:pg', 'crashed-load']]) {
      const signalled = await durable(`entities/semaphore/${encodeURIComponent(key!)}?op=acquire`, { owner, want: 1, leaseInMs: 30_000, capacityIfNew: 1, nowMs: t0 });
      expect(signalled.status).toBe(202);
    }
    // A stream worker queues behind the crashed extract; its own re-check is a day away, so only a notification wakes it.
    const parsed = parseConfig(config);
    const worker = { ...streamWorkerInputFor(parsed, findPipeline(parsed, 'UK_1')!, 'UK_1'), permitRecheckInMs: 86_400_000 };
    const started = await durable('orchestrators/ingestBatch', { appends: [{ events: [{ stream: 'UK_1', occurredAtMs: 1, records: [{ id: 'a' }] }], worker }], startRetry: INGEST_START_RETRY });
    expect(started.status).toBe(202);
    const queued = await until('the worker queued on source:crm', async () => {
      const view = await semaphore('source:crm');
      return view.waiters.length === 1 ? view : undefined;
    });
    expect(queued.holders.map((h) => h.owner)).toEqual(['crashed-extract']);
    expect(queued.waiters[0]!.owner).toMatch(/^stream-worker:UK_1:/);
    expect(await semaphore('target:pg')).toMatchObject({ held: 1, holders: [{ owner: 'crashed-load', leaseExpiresAt: '2026-11-23T10:00:40.000Z' }], waiters: [] });

    // Leases ended, but before the reaper's occurrence nothing reclaims them.
    clock.advanceTo(Date.parse('2026-11-23T10:00:59Z'));
    await app.durableIdle();
    expect((await semaphore('target:pg')).held).toBe(1);

    clock.advanceTo(Date.parse('2026-11-23T10:01:00Z'));
    const row = await until('the row loaded by the woken worker', async () => {
      const result = await pg.query<{ id: string }>('select id from public.reaped_accounts').catch(() => undefined);
      return result !== undefined && result.rows.length === 1 ? result.rows[0] : undefined;
    });
    expect(row).toEqual({ id: 'a' });
    const stream = await until('the stream idle again', async () => {
      const view = (await (await app.call('GET', 'streams/UK_1')).json()) as { status: string; counters: { windowsCommitted: number } };
      return view.status === 'idle' ? view : undefined;
    });
    expect(stream.counters.windowsCommitted).toBe(1);
    // The crashed owners are gone from both semaphores; the worker released what it was granted.
    for (const name of ['source:crm', 'target:pg']) expect(await semaphore(name)).toMatchObject({ held: 0, holders: [], waiters: [] });
    expect(app.logs.some((entry) => entry.message.includes('sluice:semaphores reaper started'))).toBe(true);
    await app.durableIdle();
  });
});
