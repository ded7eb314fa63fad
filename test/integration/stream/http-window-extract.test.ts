/**
 * extractWindow for a pipeline with an `http` source, against a loopback HTTP API, with real Azurite (landing) and
 * the Cosmos DB stand-in (configuration store, ledger).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobServiceClient } from '@azure/storage-blob';
import type { StreamWindow } from '../../../core/stream';
import { createCosmosClient, Ledger } from '../../../connectors/cosmos';
import { windowExtractor as extractor } from '../../../functions/window-extractor';
import { startAzurite, type AzuriteService } from '../../../local/services/azurite';
import { startCosmos, type CosmosService } from '../../../local/services/cosmos';

interface Seen { url: URL; headers: IncomingHttpHeaders }
type Handler = (url: URL, res: ServerResponse) => void;

let handler: Handler = (_url, res) => res.end();
const seen: Seen[] = [];
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  seen.push({ url, headers: req.headers });
  handler(url, res);
});
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

let azurite: AzuriteService;
let cosmos: CosmosService;

const window = (streamId: string, seq: number, sinceMs: number | null, untilMs: number): StreamWindow => ({
  streamId, windowId: `${streamId}:${seq}`, seq, firstEventSeq: seq, lastEventSeq: seq, catchUp: false, attempt: 1,
  sinceMs, untilMs, records: [], blobRefs: [], notifications: 1, events: 1, recordsIn: 0,
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  [azurite, cosmos] = await Promise.all([startAzurite({}), startCosmos({})]);
  const config = {
    semaphores: [{ kind: 'target', name: 'pg', capacity: 1 }],
    pipelines: [{
      name: 'orders', streams: ['O_*'], target: { kind: 'postgres', table: 'orders' }, targetSemaphore: 'pg', keyColumns: ['id'],
      source: { kind: 'http', url: `${base}/orders`, itemsPath: 'data.items', streamParam: 'partition', timeFormat: 'epochMs',
        paging: { kind: 'cursor', cursorParam: 'after', nextCursorPath: 'data.next' }, headerSettings: { authorization: 'TEST_ORDERS_TOKEN' } },
    }, {
      name: 'plain', streams: ['P_*'], target: { kind: 'postgres', table: 'plain' }, targetSemaphore: 'pg', keyColumns: ['id'],
      source: { kind: 'http', url: `${base}/plain` },
    }, {
      name: 'secret', streams: ['X_*'], target: { kind: 'postgres', table: 'x' }, targetSemaphore: 'pg', keyColumns: ['id'],
      source: { kind: 'http', url: `${base}/x`, headerSettings: { 'x-api-key': 'TEST_MISSING_KEY' } },
    }],
  };
  // The extractor reads its settings when called (app-services, config-runtime), as the app does at run time.
  Object.assign(process.env, {
    SLUICE_BLOB: azurite.connectionString, SLUICE_COSMOS_ENDPOINT: cosmos.endpoint, SLUICE_COSMOS_KEY: cosmos.key,
    SLUICE_COSMOS_ENDPOINT_DISCOVERY: 'false', SLUICE_COSMOS_DATABASE: 'sluice', SLUICE_CONFIG: JSON.stringify(config), TEST_ORDERS_TOKEN: 'Bearer t0k',
  });
}, 60_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await Promise.all([azurite?.stop(), cosmos?.stop()]);
});

beforeEach(() => {
  seen.length = 0;
});

describe('extractWindow with an HTTP source', () => {
  it('reads the window range for its stream page by page and lands each page as an NDJSON blob', async () => {
    handler = (url, res) => {
      const after = Number(url.searchParams.get('after') ?? 0);
      const items = [{ id: `o${after + 1}`, v: after + 1 }, { id: `o${after + 2}`, v: after + 2 }];
      json(res, 200, { data: { items: after < 4 ? items : items.slice(0, 1), next: after < 4 ? after + 2 : null } });
    };
    const result = await extractor.extractWindow({ streamId: 'O_1', pipeline: 'orders', window: window('O_1', 2, 1_000, 2_000) }, {});

    expect(seen.map((s) => s.url.search)).toEqual([
      '?partition=O_1&since=1000&until=2000',
      '?partition=O_1&since=1000&until=2000&after=2',
      '?partition=O_1&since=1000&until=2000&after=4',
    ]);
    expect(seen.every((s) => s.headers.authorization === 'Bearer t0k')).toBe(true);
    expect(result.records).toBe(5);
    expect(result.landed.map((l) => [new URL(l.url).pathname.split('/').slice(-4).join('/'), l.records, l.format])).toEqual([
      ['landing/O_1/w2/part-00000.ndjson', 2, 'ndjson'],
      ['landing/O_1/w2/part-00001.ndjson', 2, 'ndjson'],
      ['landing/O_1/w2/part-00002.ndjson', 1, 'ndjson'],
    ]);
    const landing = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('landing');
    const last = (await landing.getBlobClient('O_1/w2/part-00002.ndjson').downloadToBuffer()).toString('utf8');
    expect(last).toBe('{"id":"o5","v":5}\n');

    const ledger = new Ledger(createCosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, endpointDiscovery: false }).database('sluice').container('ledger'));
    const entry = await ledger.getEntry('O_1', 'window', 'O_1.w2');
    expect(entry).toMatchObject({ outcome: 'running', files: result.landed.map((l) => l.url),
      window: { from: new Date(1_000).toISOString(), until: new Date(2_000).toISOString(), events: 1 } });
  }, 30_000);

  it('retries 429 and 503 answers, and reads a stream\'s first window from the start with ISO bounds', async () => {
    let calls = 0;
    handler = (_url, res) => {
      calls++;
      if (calls === 1) return json(res, 429, { error: 'slow down' }, { 'retry-after': '0' });
      if (calls === 2) return json(res, 503, { error: 'busy' });
      json(res, 200, { items: [{ id: 'p1' }] });
    };
    const result = await extractor.extractWindow({ streamId: 'P_1', pipeline: 'plain', window: window('P_1', 1, null, Date.parse('2026-11-23T10:00:00Z')) }, {});
    expect(seen.map((s) => s.url.search)).toEqual(Array(3).fill('?until=2026-11-23T10%3A00%3A00.000Z'));
    expect(result).toMatchObject({ records: 1, landed: [{ records: 1 }] });
  }, 30_000);

  it('fails at once on a 404 naming the URL, and names the missing app setting of a header', async () => {
    handler = (_url, res) => json(res, 404, { error: 'no such partition' });
    await expect(extractor.extractWindow({ streamId: 'P_2', pipeline: 'plain', window: window('P_2', 1, 0, 10) }, {}))
      .rejects.toMatchObject({ code: 'SourceFailed', retryable: false, message: expect.stringMatching(/\/plain answered 404: .*no such partition.*To fix: /) });
    expect(seen).toHaveLength(1);
    await expect(extractor.extractWindow({ streamId: 'X_1', pipeline: 'secret', window: window('X_1', 1, 0, 10) }, {}))
      .rejects.toMatchObject({ code: 'ConfigInvalid', message: expect.stringContaining('reads app setting TEST_MISSING_KEY, which is not set. To fix: set TEST_MISSING_KEY') });
    expect(seen).toHaveLength(1);
  }, 30_000);
});
