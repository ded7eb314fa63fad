import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import type { ContainerClient } from '@azure/storage-blob';
import { Client, Pool } from 'pg';
import { createBlobServiceClient, ensureContainer } from '../../../connectors/blob';
import { writeOutbox } from '../../../connectors/blob/outbox';
import { buildExportSql, streamExportRows } from '../../../connectors/postgres/export-query';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../../local/servicebus';
import { loadNotificationSchema, type LoadNotification } from '../../../orchestrators/elt-outputs-input';
import { useLocalServices } from '../../support/local-services';
import { buildApp, startAppUnderTest, type AppUnderTest } from '../config/app-under-test';

const services = useLocalServices();
const secret = 'test-signing-secret';

interface Delivery { path: string; headers: IncomingHttpHeaders; body: string }

/** Webhook receiver: /flaky answers 503 twice per delivery id, then 204; /down always 500. */
async function startReceiver(): Promise<{ server: Server; url: string; deliveries: Delivery[] }> {
  const deliveries: Delivery[] = [];
  const flakyAttempts = new Map<string, number>();
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const delivery = { path: request.url ?? '', headers: request.headers, body: Buffer.concat(parts).toString('utf8') };
      deliveries.push(delivery);
      const id = String(request.headers['x-sluice-delivery']);
      const attempt = (flakyAttempts.get(id) ?? 0) + 1;
      flakyAttempts.set(id, attempt);
      response.statusCode = delivery.path === '/down' ? 500 : attempt <= 2 ? 503 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, deliveries };
}

const pipeline = (name: string, maxRejectRatio: number) => ({
  name, streams: [name], source: { kind: 'blob', container: 'landing', prefix: 'sales/' },
  target: { kind: 'postgres', schema: 'lake', table: 'sales' }, targetSemaphore: 'pg',
  keyColumns: ['id'], versionColumn: 'version', columns: { id: 'bigint', version: 'bigint', rep: 'text', amount: 'numeric' },
  format: { kind: 'csv' }, maxRejectRatio,
  export: { partitionBy: 'rep', aggregate: { groupBy: ['rep'], measures: [{ fn: 'count', as: 'sales' }, { fn: 'sum', column: 'amount', as: 'total' }] } },
  notify: ['bus', 'hook', 'down'],
});

describe('ELT load outputs: export to the outbox and notifications', () => {
  let app: AppUnderTest;
  let appDir: string;
  let emulator: ServiceBusEmulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let bus: ServiceBusClient;
  let landing: ContainerClient;
  let outbox: ContainerClient;

  beforeAll(async () => {
    [emulator, receiver] = await Promise.all([startServiceBusEmulator({ queues: [{ name: 'load-events' }] }), startReceiver()]);
    const config = {
      semaphores: [{ kind: 'target', name: 'pg', capacity: 2 }],
      notificationTargets: [
        { kind: 'serviceBusQueue', name: 'bus', queueName: 'load-events', connectionSetting: 'NOTIFY_SB' },
        { kind: 'webhook', name: 'hook', url: `${receiver.url}/flaky`, secretSetting: 'HOOK_SECRET', maxRetries: 3, retryDelayInMs: 20 },
        { kind: 'webhook', name: 'down', url: `${receiver.url}/down`, maxRetries: 2, retryDelayInMs: 20 },
      ],
      pipelines: [pipeline('sales', 0.5), pipeline('sales-strict', 0)],
    };
    appDir = buildApp();
    app = await startAppUnderTest(appDir, { ...services().env(), SLUICE_CONFIG: JSON.stringify(config), NOTIFY_SB: emulator.connectionString, HOOK_SECRET: secret });
    bus = new ServiceBusClient(emulator.connectionString);
    const blobs = createBlobServiceClient({ connectionString: services().blob.connectionString });
    landing = blobs.getContainerClient('landing');
    outbox = blobs.getContainerClient('outbox');
    await ensureContainer(landing);
    await ensureContainer(blobs.getContainerClient('rejects'));
    const csv = 'id,version,rep,amount\n1,1,alice,10.5\n2,1,bob,7\n3,1,alice,20\n4,1,"o\'hara, k",1.25\n5,1,bob,oops\n';
    await landing.getBlockBlobClient('sales/day.csv').uploadData(Buffer.from(csv));
  }, 180_000);
  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await emulator?.stop();
    await new Promise((resolve) => receiver?.server.close(resolve));
    if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
  });

  async function load(pipelineName: string): Promise<{ instanceId: string; runtimeStatus: string; output: unknown; customStatus: unknown }> {
    const response = await app.call('POST', 'loads', { body: { pipeline: pipelineName, blob: 'sales/day.csv' } });
    expect(response.status).toBe(202);
    const started = (await response.json()) as { statusQueryGetUri: string };
    await app.durableIdle();
    return (await (await fetch(started.statusQueryGetUri)).json()) as { instanceId: string; runtimeStatus: string; output: unknown; customStatus: unknown };
  }

  async function receiveOne(): Promise<ServiceBusReceivedMessage> {
    const receiver = bus.createReceiver('load-events', { receiveMode: 'receiveAndDelete' });
    try {
      const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 20_000 });
      if (message === undefined) throw new Error('no notification on queue load-events within 20 s');
      return message;
    } finally {
      await receiver.close();
    }
  }

  const text = async (blob: string) => (await outbox.getBlobClient(blob).downloadToBuffer()).toString('utf8');

  it('after the merge writes one CSV per rep to the outbox with a manifest, then notifies the queue and the webhook (retried past two 503s)', async () => {
    const status = await load('sales');
    expect(status.runtimeStatus).toBe('Completed');
    const loadId = status.instanceId;
    const output = status.output as { export: unknown; notifications: unknown };
    expect(output.export).toEqual({ container: 'outbox', prefix: `sales/${loadId}/`, files: 3, rows: 3, manifest: `sales/${loadId}/_manifest.json` });
    expect(await text(`sales/${loadId}/alice.csv`)).toBe('rep,sales,total\nalice,2,30.5\n');
    expect(await text(`sales/${loadId}/bob.csv`)).toBe('rep,sales,total\nbob,1,7\n');
    expect(await text(`sales/${loadId}/o=27hara=2c=20k.csv`)).toBe('rep,sales,total\n"o\'hara, k",1,1.25\n');
    expect(JSON.parse(await text(`sales/${loadId}/_manifest.json`))).toMatchObject({ loadId, pipeline: 'sales', rows: 3, files: [{ key: 'alice', rows: 1 }, { key: 'bob', rows: 1 }, { key: "o'hara, k", rows: 1 }] });

    // The webhook "down" failed after its retries: recorded, and the load still succeeded.
    expect(output.notifications).toEqual([
      { target: 'bus', kind: 'serviceBusQueue', delivered: true },
      { target: 'hook', kind: 'webhook', delivered: true },
      { target: 'down', kind: 'webhook', delivered: false, error: expect.stringContaining('did not accept the POST after 3 attempt(s): HTTP 500') as unknown },
    ]);
    const message = await receiveOne();
    const notification: LoadNotification = loadNotificationSchema.parse(message.body);
    expect(message.messageId).toBe(`${loadId}:succeeded`);
    expect(message.applicationProperties).toEqual({ loadId, pipeline: 'sales', outcome: 'succeeded' });
    expect(notification).toMatchObject({
      type: 'Sluice.Load.Succeeded', loadId, pipeline: 'sales', outcome: 'succeeded', target: 'postgres',
      progress: { chunksDone: 1, chunksTotal: 1, rows: 4, rejects: 1 }, counts: { files: 1, inserted: 4, updated: 0, skippedByGuard: 0 },
      rejects: { container: 'rejects', prefix: `${loadId}/` }, export: { container: 'outbox', prefix: `sales/${loadId}/`, files: 3 }, error: null,
    });
    const hook = receiver.deliveries.filter((d) => d.path === '/flaky');
    expect(hook).toHaveLength(3);
    expect(receiver.deliveries.filter((d) => d.path === '/down')).toHaveLength(3);
    const last = hook[2]!;
    expect(JSON.parse(last.body)).toEqual(notification);
    expect(last.headers).toMatchObject({ 'x-sluice-event': 'Sluice.Load.Succeeded', 'x-sluice-delivery': `${loadId}:succeeded`,
      'x-sluice-signature': `sha256=${createHmac('sha256', secret).update(last.body).digest('hex')}` });
  });

  it('notifies a failed load (past maxRejectRatio) with its error and records the deliveries in the custom status', async () => {
    receiver.deliveries.length = 0;
    const status = await load('sales-strict');
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.customStatus).toMatchObject({ chunksDone: 1, rejects: 1, notifications: [{ target: 'bus', delivered: true }, { target: 'hook', delivered: true }, { target: 'down', delivered: false }] });
    const notification = loadNotificationSchema.parse((await receiveOne()).body);
    expect(notification).toMatchObject({ type: 'Sluice.Load.Failed', outcome: 'failed', counts: null, export: null, progress: { rows: 4, rejects: 1 } });
    expect(notification.error?.message).toContain('more than maxRejectRatio 0');
    expect(JSON.parse(receiver.deliveries.find((d) => d.path === '/flaky')!.body)).toEqual(notification);
  });

  it('an export written again for the same load leaves exactly its own files: stale keys of an earlier attempt are removed', async () => {
    const pg = new Client({ connectionString: services().postgres.connectionString });
    const pool = new Pool({ connectionString: services().postgres.connectionString, max: 2 });
    try {
      await pg.connect();
      await pg.query('create table lake.export_retry (rep text, amount numeric)');
      await pg.query("insert into lake.export_retry values ('ann', 1), ('ben', 2), ('cy', 3)");
      const sql = buildExportSql({ kind: 'aggregate', schema: 'lake', table: 'export_retry', groupBy: ['rep'], measures: [{ fn: 'sum', column: 'amount', as: 'total' }] }, 'rep');
      const write = () => writeOutbox(outbox, streamExportRows(pool, sql), { prefix: 'retry/load-x/', partitionBy: 'rep', format: 'ndjson', fileStem: (k) => k, manifest: { loadId: 'load-x' } });
      expect((await write()).files.map((f) => f.blob)).toEqual(['retry/load-x/ann.ndjson', 'retry/load-x/ben.ndjson', 'retry/load-x/cy.ndjson']);
      await pg.query("delete from lake.export_retry where rep = 'ben'");
      const again = await write();
      expect(again.removed).toBe(1);
      const names: string[] = [];
      for await (const blob of outbox.listBlobsFlat({ prefix: 'retry/load-x/' })) names.push(blob.name);
      expect(names.sort()).toEqual(['retry/load-x/_manifest.json', 'retry/load-x/ann.ndjson', 'retry/load-x/cy.ndjson']);
      expect(await text('retry/load-x/cy.ndjson')).toBe('{"rep":"cy","total":"3"}\n');
    } finally {
      await pg.end();
      await pool.end();
    }
  });
});
