/**
 * The operators' view end to end on the local host with real services (SB emulator + the real SDK, Azurite,
 * PostgreSQL, the Cosmos stand-in) and Application Insights pointed at a loopback ingestion server:
 * a stream really fails in its worker (a PostgreSQL trigger refuses its rows) and suspends; the dashboard in
 * Debian's Chromium shows it, its Resume button resumes it once the cause is gone and the stream catches up; the
 * dashboard lists a load in flight, a dead-lettered message and rejects; the app sent the contract's telemetry.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { BlobServiceClient } from '@azure/storage-blob';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createCosmosClient, Ledger } from '../../../connectors/cosmos';
import type { Client } from 'pg';
import type { RunningHost } from '../../../local/host/host';
import type { LocalServices } from '../../../local/services';
import type { ServiceBusEmulator } from '../../../local/servicebus';
import { repoRoot } from '../config/app-under-test';
import { startIngestionServer, type Envelope, type IngestionServer } from './ingestion-server';
import { until as waitUntil } from '../../support/stream-scenario';
import { startInProcessHost, startStreamStack, type InProcessHost, type StreamStack } from '../../support/stream-stack';

const chromiumPath = '/usr/bin/chromium';
const screenshotPath = path.join(repoRoot, 'test-results', 'operators-view.png');
const suspendedScreenshotPath = path.join(repoRoot, 'test-results', 'operators-view-suspended.png');
const deadlineInMs = 60_000;

const config = {
  semaphores: [{ kind: 'target', name: 'pg', capacity: 2 }, { kind: 'target', name: 'wh', capacity: 1 }],
  streamPolicies: [{ name: 'fail-fast', suspendAfterFailures: 1, retry: { maxRetries: 0, retryDelayInMs: 100 } }],
  pipelines: [{
    name: 'accounts', streams: ['A_*'], source: { kind: 'inline' }, target: { kind: 'postgres', table: 'accounts' }, targetSemaphore: 'pg',
    keyColumns: ['id'], versionColumn: 'v', columns: { id: 'text', v: 'bigint', n: 'integer' }, policy: 'fail-fast',
  }, {
    name: 'orders', streams: ['orders'], source: { kind: 'blob', container: 'landing', prefix: 'orders/' },
    target: { kind: 'postgres', table: 'orders' }, targetSemaphore: 'wh', keyColumns: ['id'], versionColumn: 'version',
    columns: { id: 'bigint', version: 'bigint', amount: 'numeric' }, format: { kind: 'csv' }, maxRejectRatio: 0.1,
  }],
};

/** Polls a condition until it holds; fails at the deadline (a bound, not a sleep used as synchronisation). */
const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => waitUntil(what, probe, deadlineInMs);

const eventNamed = (name: string, properties: Record<string, string | RegExp>) => (e: Envelope) =>
  e.data.baseType === 'EventData' && e.data.baseData.name === name &&
  Object.entries(properties).every(([key, want]) => {
    const got = e.data.baseData.properties?.[key];
    return got !== undefined && (typeof want === 'string' ? got === want : want.test(got));
  });

describe('operators view on the local host: a real suspension, the dashboard, and the telemetry sent', () => {
  let services: LocalServices;
  let emulator: ServiceBusEmulator;
  let ingestion: IngestionServer;
  let host: RunningHost;
  let pg: Client;
  let stack: StreamStack;
  let app: InProcessHost;
  let browser: Browser;
  let page: Page;

  const call = (method: string, route: string, body?: unknown) => fetch(`${host.url}/api/${route}`, {
    method,
    headers: { 'x-functions-key': host.keys.functionKeys['default'] ?? '', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const stream = async (id: string) => (await (await call('GET', `streams/${id}`)).json()) as Record<string, unknown>;
  const signal = async (entity: string, key: string, op: string, input: unknown) => {
    const url = `${host.url}/runtime/webhooks/durabletask/entities/${entity}/${encodeURIComponent(key)}?op=${op}`;
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) })).status).toBe(202);
  };
  const send = async (messages: Array<{ stream: string; id: string; n: number; correlationId?: string }>) => {
    const client = new ServiceBusClient(emulator.connectionString);
    const sender = client.createSender('ingress');
    await sender.sendMessages(messages.map((m) => ({
      sessionId: m.stream, messageId: `${m.stream}-${m.id}`, contentType: 'application/json',
      ...(m.correlationId === undefined ? {} : { correlationId: m.correlationId }),
      body: { stream: m.stream, occurredAtMs: 1_790_000_000_000 + m.n, records: [{ id: m.id, v: m.n, n: m.n }] },
    })));
    await sender.close();
    await client.close();
  };
  const rowsOf = async (prefix: string) => Number((await pg.query<{ n: string }>(`select count(*) as n from public.accounts where id like $1`, [`${prefix}%`]).catch(() => ({ rows: [{ n: '0' }] }))).rows[0]?.n ?? 0);

  beforeAll(async () => {
    ingestion = await startIngestionServer();
    stack = await startStreamStack({
      config,
      taskHub: 'SluiceOperatorsTest',
      serviceBus: { sessionIdleTimeout: '00:00:00.2' },
      env: {
        SLUICE_METRICS_SCHEDULE: '*/2 * * * * *',
        APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
        // Only the loopback ingestion endpoint: no SDK self-statistics to Microsoft's endpoints.
        APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
        APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
      },
    });
    app = await startInProcessHost(stack);
    ({ services, emulator, pg } = stack);
    host = app.host;
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await stack?.stop();
    ingestion?.untrust();
    await ingestion?.stop();
  }, 60_000);

  it('suspends a stream whose load really fails, shows it, and its Resume button resumes it until the stream caught up', async () => {
    // A healthy stream creates the target table; then a trigger refuses every row, as a locked target would.
    await send([{ stream: 'A_ok', id: 'ok-1', n: 1 }]);
    await until('the first row', async () => ((await rowsOf('ok-')) === 1 ? true : undefined));
    await pg.query(`create function refuse_rows() returns trigger language plpgsql as $$ begin raise exception 'accounts is locked for maintenance'; end $$`);
    await pg.query('create trigger refuse_rows before insert or update on public.accounts for each row execute function refuse_rows()');

    await send([1, 2, 3].map((n) => ({ stream: 'A_1', id: `a1-${n}`, n, correlationId: `order-${n}` })));
    const suspended = await until('A_1 suspended', async () => {
      const s = await stream('A_1');
      return s['status'] === 'suspended' ? s : undefined;
    });
    expect(String((suspended['suspension'] as { reason: string }).reason)).toContain('accounts is locked for maintenance');
    // Ingress keeps accepting the stream's events while it is suspended.
    await send([4, 5].map((n) => ({ stream: 'A_1', id: `a1-${n}`, n, correlationId: `order-${n}` })));
    await until('5 pending events', async () => ((await stream('A_1'))['pendingEvents'] === 5 ? true : undefined));

    const key = host.keys.functionKeys['default'] ?? '';
    expect((await page.goto(`${host.url}/api/dashboard?code=${encodeURIComponent(key)}`))?.status()).toBe(200);
    const row = page.locator('tr[data-stream="A_1"]');
    await row.waitFor();
    await page.locator('tr[data-stream="A_1"] td').nth(3).filter({ hasText: /^5$/ }).waitFor();
    expect(await row.getAttribute('class')).toBe('suspended');
    expect(await row.innerText()).toContain('accounts is locked for maintenance');
    mkdirSync(path.dirname(suspendedScreenshotPath), { recursive: true });
    await page.screenshot({ path: suspendedScreenshotPath, fullPage: true });

    await pg.query('drop trigger refuse_rows on public.accounts');
    await page.getByRole('button', { name: 'Resume A_1' }).click();
    await page.getByRole('status').filter({ hasText: /^resume of A_1 done: status (running|idle)\.$/ }).waitFor();
    await until('A_1 caught up', async () => ((await rowsOf('a1-')) === 5 ? true : undefined));
    await until('A_1 idle with nothing pending', async () => {
      const s = await stream('A_1');
      return s['status'] === 'idle' && s['pendingEvents'] === 0 ? true : undefined;
    });
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.locator('tr[data-stream="A_1"] td').nth(3).filter({ hasText: /^0$/ }).waitFor();
    expect(await row.getAttribute('class')).toBe('');

    // The catch-up window's ledger entry carries the correlation ids of the events it applied.
    const cosmos = createCosmosClient({ endpoint: services.cosmos.endpoint, key: services.cosmos.key, endpointDiscovery: false });
    const ledger = new Ledger(cosmos.database('sluice').container('ledger'));
    const entries = await ledger.listByStream('A_1');
    const applied = entries.find((e) => e.outcome === 'succeeded');
    expect(applied?.correlationIds).toEqual(['order-1', 'order-2', 'order-3', 'order-4', 'order-5']);
    expect(entries.find((e) => e.outcome === 'failed')?.correlationIds).toEqual(['order-1', 'order-2', 'order-3']);
  }, 150_000);

  it('lists a load in flight with its progress, the dead-lettered messages with their reason, and the newest rejects', async () => {
    const blobs = BlobServiceClient.fromConnectionString(services.blob.connectionString);
    const landing = blobs.getContainerClient('landing');
    await landing.createIfNotExists();
    await landing.getBlockBlobClient('orders/good.csv').uploadData(Buffer.from('id,version,amount\n1,1,10.5\n2,1,20\n3,1,30\n'));
    await landing.getBlockBlobClient('orders/bad.csv').uploadData(Buffer.from('id,version,amount\n4,1,lots\n5,1,many\n6,1,7\n'));

    // Someone else holds the only permit of target:wh, so the load waits where the dashboard can see it.
    await signal('semaphore', 'target:wh', 'acquire', { owner: 'maintenance-job', want: 1, leaseInMs: 600_000, capacityIfNew: 1, nowMs: Date.now() });
    const started = await call('POST', 'loads', { pipeline: 'orders', blob: 'orders/good.csv' });
    expect(started.status).toBe(202);
    const { id: loadId, statusQueryGetUri } = (await started.json()) as { id: string; statusQueryGetUri: string };
    await until('the load planned and waiting', async () => {
      const status = (await (await fetch(statusQueryGetUri)).json()) as { customStatus?: { chunksTotal?: number } };
      return status.customStatus?.chunksTotal === 1 ? true : undefined;
    });

    // A message the ingress could not use, dead-lettered with the real SDK while the test holds its session.
    const client = new ServiceBusClient(emulator.connectionString);
    const session = await client.acceptSession('ingress', 'DLQ_1');
    const sender = client.createSender('ingress');
    await sender.sendMessages({ sessionId: 'DLQ_1', messageId: 'dlq-1', body: 'not json' });
    const [received] = await session.receiveMessages(1, { maxWaitTimeInMs: 10_000 });
    await session.deadLetterMessage(received!, { deadLetterReason: 'NotJson', deadLetterErrorDescription: 'body is not JSON: Unexpected token o' });
    await session.close();
    await sender.close();
    await client.close();

    await page.getByRole('button', { name: 'Refresh now' }).click();
    const load = page.locator(`tr[data-load="${loadId}"]`);
    await load.waitFor();
    expect(await load.innerText()).toContain('0 / 1 chunks');
    expect(await load.getByRole('progressbar').getAttribute('aria-label')).toBe(`Progress of load ${loadId}: 0 of 1 chunks`);
    await page.locator('#dlq-summary').filter({ hasText: '1 message(s) in the dead-letter queue of ingress.' }).waitFor();
    const deadLetter = await page.locator('#dlq-body tr').first().innerText();
    for (const part of ['DLQ_1', 'dlq-1', 'NotJson', 'body is not JSON: Unexpected token o']) expect(deadLetter).toContain(part);

    // More capacity lets the waiting load run (the capacity change wakes it), then a load with too many bad rows fails.
    expect((await call('PUT', 'semaphores/target:wh/capacity', { capacity: 2 })).status).toBe(200);
    await until('the good load done', async () => {
      const status = (await (await fetch(statusQueryGetUri)).json()) as { runtimeStatus: string };
      return status.runtimeStatus === 'Completed' ? true : undefined;
    });
    expect((await call('POST', 'loads', { pipeline: 'orders', blob: 'orders/bad.csv' })).status).toBe(202);
    await app.idle();
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.locator('#rejects-body tr').filter({ hasText: 'orders/bad.csv' }).first().waitFor();
    await page.locator('#loads-body').filter({ hasText: 'No load running.' }).waitFor();
    expect(await page.locator('#dlq-summary').innerText()).toBe('1 message(s) in the dead-letter queue of ingress.');
    mkdirSync(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
  }, 120_000);

  it('sent the contract\'s events and gauges to Application Insights, correlated with the Service Bus messages', async () => {
    const wait = (what: string, predicate: (e: Envelope) => boolean) => ingestion.waitFor(what, predicate, 30_000);
    await wait('Stream.Suspended', eventNamed('Sluice.Stream.Suspended', { streamId: 'A_1', pipeline: 'accounts', reason: /accounts is locked for maintenance/, correlationId: 'order-1' }));
    await wait('Stream.Resumed', eventNamed('Sluice.Stream.Resumed', { streamId: 'A_1', pipeline: 'accounts' }));
    const committed = await wait('Window.Committed', eventNamed('Sluice.Window.Committed', { streamId: 'A_1', pipeline: 'accounts', events: '5', correlationIds: 'order-1,order-2,order-3,order-4,order-5' }));
    expect(Number(committed.data.baseData.properties?.['lagMs'])).toBeGreaterThan(0);
    await wait('Permit.Granted', eventNamed('Sluice.Permit.Granted', { semaphore: 'target:pg', owner: /^stream-worker:A_1:/, permits: '1', waitedMs: /^\d+$/ }));
    await wait('Load.Completed', eventNamed('Sluice.Load.Completed', { pipeline: 'orders', rows: '3', rejectedRows: '0', durationMs: /^\d+$/ }));
    await wait('Load.Failed', eventNamed('Sluice.Load.Failed', { pipeline: 'orders', reason: /RejectThresholdExceeded/ }));
    for (const name of ['sluice.streams.count', 'sluice.permits.count', 'sluice.capacity.count', 'sluice.waiters.count']) {
      await wait(name, (e) => e.data.baseType === 'MetricData' && e.data.baseData.metrics?.[0]?.name === name);
    }
    await wait('capacity of target:wh', (e) => e.data.baseData.metrics?.[0]?.name === 'sluice.capacity.count' && e.data.baseData.properties?.['semaphore'] === 'target:wh' && (e.data.baseData.metrics[0].max ?? e.data.baseData.metrics[0].value) === 2);
    expect(JSON.stringify(ingestion.envelopes)).not.toContain('InstrumentationKey=');
  }, 60_000);
});
