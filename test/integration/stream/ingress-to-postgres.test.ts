/**
 * The whole stream path on the local host with real services: events sent with the real Service Bus SDK to the
 * emulator, the app's session-batch ingress, ingestBatch, stream workers under source/target semaphores, the
 * connector-backed extract (Azurite landing) and load (PostgreSQL COPY + guarded merge), and the Cosmos ledger.
 */
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { BlobServiceClient } from '@azure/storage-blob';
import { maxOverlap, shuffled, until } from '../../support/stream-scenario';
import { startInProcessHost, startStreamStack, type InProcessHost, type StreamStack } from '../../support/stream-stack';

const streams = Array.from({ length: 20 }, (_, i) => `S_${i}`);
const eventsPerStream = 10;
const badStream = 'S_3';
const notJsonStream = 'S_7';
const deadlineInMs = 45_000;

const config = {
  semaphores: [{ kind: 'source', name: 'crm', capacity: 3 }, { kind: 'target', name: 'pg', capacity: 4 }],
  // Small windows, so each stream has several and streams contend for the permits.
  streamPolicies: [{ name: 'small-windows', coalescing: { maxEventsPerWindow: 3 } }],
  pipelines: [{
    name: 'accounts', streams: ['S_*'], source: { kind: 'inline' }, sourceSemaphore: 'crm',
    target: { kind: 'postgres', table: 'accounts' }, targetSemaphore: 'pg',
    keyColumns: ['id'], versionColumn: 'v', columns: { id: 'text', v: 'bigint', stream: 'text', n: 'integer' }, policy: 'small-windows',
  }, {
    name: 'files', streams: ['F_*'], source: { kind: 'blob' }, target: { kind: 'postgres', table: 'file_rows' }, targetSemaphore: 'pg',
    keyColumns: ['id'], columns: { id: 'text', qty: 'integer' }, maxRejectRatio: 0.5,
  }],
};

describe('ingress -> stream workers -> PostgreSQL on the local host', () => {
  let stack: StreamStack;
  let app: InProcessHost;

  beforeAll(async () => {
    stack = await startStreamStack({
      config,
      taskHub: 'SluiceIngressTest',
      // Batch-mode sessions are served one at a time; a short idle timeout moves on to the next session quickly.
      // Small batches: a stream's events arrive in several ingestBatch runs, some while its worker is busy.
      serviceBus: { sessionIdleTimeout: '00:00:00.2', maxMessageBatchSize: 4 },
    });
    app = await startInProcessHost(stack);
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await stack?.stop();
  });

  it('lands every event exactly once, applies each stream\'s windows in order, and dead-letters bad messages with their reason without blocking their sessions', async () => {
    const perStream = streams.map((stream) => Array.from({ length: eventsPerStream }, (_, n): ServiceBusMessage => ({
      sessionId: stream,
      messageId: `${stream}-${n}`,
      contentType: 'application/json',
      body: { stream, occurredAtMs: 1_790_000_000_000 + n, records: [{ id: `${stream}-${n}`, v: n + 1, stream, n }] },
    })));
    // The invalid messages sit in the middle of their sessions: the events after them must still land.
    perStream[3]!.splice(5, 0, { sessionId: badStream, messageId: `${badStream}-bad`, contentType: 'application/json', body: { stream: 'S_other', occurredAtMs: 1 } });
    perStream[7]!.splice(2, 0, { sessionId: notJsonStream, messageId: `${notJsonStream}-bad`, body: Buffer.from('not json', 'utf8') });
    // Random interleaving across streams, each stream's own order kept.
    const order = shuffled(perStream.flatMap((messages, s) => messages.map(() => s)), 42);
    const cursor = perStream.map(() => 0);
    const messages = order.map((s) => perStream[s]![cursor[s]!++]!);

    await stack.send(messages);

    const total = streams.length * eventsPerStream;
    await until(`${total} rows in accounts`, async () => {
      const result = await stack.pg.query<{ n: string }>('select count(*) as n from public.accounts').catch(() => undefined);
      return Number(result?.rows[0]?.n ?? 0) >= total ? true : undefined;
    }, deadlineInMs);
    const rows = (await stack.pg.query<{ id: string; v: string; stream: string; n: number }>('select id, v, stream, n from public.accounts order by id')).rows;
    const expected = streams.flatMap((stream) => Array.from({ length: eventsPerStream }, (_, n) => ({ id: `${stream}-${n}`, v: String(n + 1), stream, n })));
    expect(rows).toEqual(expected.sort((a, b) => (a.id < b.id ? -1 : 1)));

    const ledger = stack.ledger;
    let inserted = 0;
    const extracts: Array<[number, number]> = [];
    const loads: Array<[number, number]> = [];
    for (const stream of streams) {
      // The ledger is written when a load ends; wait until this stream's windows cover all its events.
      const entries = await until(`ledger of ${stream}`, async () => {
        const list = await ledger.listByStream(stream, { limit: 100 });
        const events = list.filter((e) => e.outcome === 'succeeded').reduce((sum, e) => sum + (e.window?.events ?? 0), 0);
        return events >= eventsPerStream ? list : undefined;
      }, deadlineInMs);
      expect(entries.every((e) => e.outcome === 'succeeded')).toBe(true);
      const seqs = entries.map((e) => Number(e.ref.split('.w')[1])).sort((a, b) => a - b);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      // Applied in order: window k+1 started after window k finished, and covers later events.
      const bySeq = [...entries].sort((a, b) => Number(a.ref.split('.w')[1]) - Number(b.ref.split('.w')[1]));
      for (let i = 1; i < bySeq.length; i++) {
        expect(Date.parse(bySeq[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(bySeq[i - 1]!.finishedAt!));
        expect(Date.parse(bySeq[i]!.window!.until)).toBeGreaterThan(Date.parse(bySeq[i - 1]!.window!.until));
      }
      inserted += entries.reduce((sum, e) => sum + (e.counts.inserted ?? 0), 0);
      for (const e of entries) {
        extracts.push([Date.parse(e.startedAt), Date.parse(e.startedAt) + e.durations.extractInMs!]);
        loads.push([Date.parse(e.finishedAt!) - e.durations.loadInMs!, Date.parse(e.finishedAt!)]);
      }
    }
    expect(inserted).toBe(total);
    expect(extracts.length).toBeGreaterThanOrEqual(streams.length * Math.ceil(eventsPerStream / 3));
    // The ledger's measured spans lie inside the activities' runs, so these bound from below what ran at once.
    expect(maxOverlap(extracts)).toBeLessThanOrEqual(config.semaphores[0]!.capacity);
    expect(maxOverlap(loads)).toBeLessThanOrEqual(config.semaphores[1]!.capacity);

    // The bad messages are in the dead-letter queue with their reason code and description; nothing else is.
    const dlqClient = new ServiceBusClient(stack.emulator.connectionString);
    const dlq = dlqClient.createReceiver('ingress', { subQueueType: 'deadLetter' });
    const dead = await dlq.peekMessages(10);
    await dlqClient.close();
    expect(dead.map((m) => [m.messageId, m.sessionId, m.deadLetterReason, m.deadLetterErrorDescription]).sort()).toEqual([
      [`${badStream}-bad`, badStream, 'SessionMismatch',
        `stream "S_other" differs from the message's sessionId "${badStream}" (they must be equal). To fix: send it with sessionId = its stream.`],
      [`${notJsonStream}-bad`, notJsonStream, 'NotJson', expect.stringMatching(/^body is not JSON: .+ To fix: send the event as a JSON object/)],
    ]);
    await app.idle();
  }, 90_000);

  it('loads blob refs, guards a pipeline without version column by window, and writes rejected rows to the rejects container', async () => {
    const blobs = BlobServiceClient.fromConnectionString(stack.services.blob.connectionString);
    const incoming = blobs.getContainerClient('incoming');
    await incoming.createIfNotExists();
    const upload = async (name: string, lines: unknown[]) => {
      const body = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
      await incoming.getBlockBlobClient(name).upload(body, Buffer.byteLength(body));
      return incoming.getBlockBlobClient(name).url;
    };
    const first = await upload('f1.ndjson', [{ id: 'a', qty: 1 }, { id: 'b', qty: 'many' }, { id: 'c', qty: 3 }]);
    const second = await upload('f2.ndjson', [{ id: 'd', qty: 4 }]);
    const client = new ServiceBusClient(stack.emulator.connectionString);
    const sender = client.createSender('ingress');
    await sender.sendMessages([first, second].map((url, n) => ({
      sessionId: 'F_1', messageId: `F_1-${n}`, contentType: 'application/json', body: { stream: 'F_1', occurredAtMs: 1_790_000_000_000 + n, blobRef: { url } },
    })));
    await sender.close();
    await client.close();

    const rows = await until('file rows', async () => {
      const result = await stack.pg.query<{ id: string; qty: number; sluice_window_seq: string }>('select id, qty, sluice_window_seq from public.file_rows order by id').catch(() => undefined);
      return result !== undefined && result.rows.length >= 3 ? result.rows : undefined;
    }, deadlineInMs);
    expect(rows.map((r) => [r.id, r.qty])).toEqual([['a', 1], ['c', 3], ['d', 4]]);
    expect(rows.every((r) => Number(r.sluice_window_seq) >= 1)).toBe(true);

    const rejects = blobs.getContainerClient('rejects');
    const names: string[] = [];
    for await (const blob of rejects.listBlobsFlat({ prefix: 'F_1.w' })) names.push(blob.name);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^F_1\.w\d+\/f1\.ndjson\/chunk-00000\.ndjson$/);
    const reject = JSON.parse((await rejects.getBlobClient(names[0]!).downloadToBuffer()).toString('utf8')) as Record<string, unknown>;
    expect(reject).toMatchObject({ file: 'f1.ndjson', line: 2, raw: JSON.stringify({ id: 'b', qty: 'many' }) });
    expect(String(reject.reason)).toMatch(/^column "qty": /);
    await app.idle();
  }, 60_000);
});
