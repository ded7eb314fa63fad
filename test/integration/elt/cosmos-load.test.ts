import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { rmSync } from 'node:fs';
import type { Container } from '@azure/cosmos';
import type { ContainerClient } from '@azure/storage-blob';
import { createBlobServiceClient, ensureContainer } from '../../../connectors/blob';
import { createCosmosClient } from '../../../connectors/cosmos';
import { useLocalServices } from '../../support/local-services';
import { buildApp, startAppUnderTest, type AppUnderTest } from '../config/app-under-test';

const services = useLocalServices();
const rows = 1200;
const bad = new Set([77, 640, 1111]);
const regions = ['north', 'south', 'east'];

const pipeline = (name: string, container: string, maxRejectRatio: number) => ({
  name, streams: [name], source: { kind: 'blob', container: 'landing', prefix: 'accounts/' },
  target: { kind: 'cosmos', database: 'lake', container, partitionKeyPath: '/region' }, targetSemaphore: 'cosmos',
  keyColumns: ['account_id'], versionColumn: 'version', columns: { account_id: 'bigint', version: 'integer', region: 'text', balance: 'numeric' },
  format: { kind: 'csv' }, maxRejectRatio, targetChunkBytes: 12 * 1024, maxTargetPermits: 4,
});
const config = {
  semaphores: [{ kind: 'target', name: 'cosmos', capacity: 2 }],
  pipelines: [pipeline('accounts', 'accounts', 0.01), pipeline('accounts-strict', 'accounts-strict', 0.001), pipeline('races', 'races', 0),
    { ...pipeline('events', 'events', 0), target: { kind: 'cosmos', database: 'lake', container: 'events', partitionKeyPath: '/id', validateBeforeWrite: false }, keyColumns: ['id'], versionColumn: 'seq', columns: { id: 'text', seq: 'bigint', at: 'timestamptz', tags: 'jsonb' }, format: { kind: 'ndjson', gzip: true } }],
};

interface Row { id: number; version: number; region: string; balance: string; note: string }

function csvOf(data: readonly Row[], broken: ReadonlySet<number> = new Set()): string {
  const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
  return ['account_id,version,region,balance,note\n', ...data.map((r) => `${r.id},${r.version},${r.region},${broken.has(r.id) ? 'plenty' : r.balance},${quoted(r.note)}\n`)].join('');
}

const row = (id: number, version: number): Row => ({
  id, version, region: regions[id % 3]!, balance: `${id}.5`, note: `acct ${id} v${version}, "quoted"${id % 4 === 0 ? '\nsecond line' : ''}`,
});

/** What the container must hold for these rows: one line per id, sorted. */
function checksumOf(data: readonly Row[]): string {
  const lines = [...data].sort((a, b) => a.id - b.id).map((r) => `${r.id}|${r.version}|${r.region}|${Number(r.balance)}|${r.note}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

describe('ELT loads into a Cosmos DB container on the local host', () => {
  let app: AppUnderTest;
  let appDir: string;
  let landing: ContainerClient;
  const cosmos = (container: string): Container =>
    createCosmosClient({ endpoint: services().cosmos.endpoint, key: services().cosmos.key, endpointDiscovery: false }).database('lake').container(container);

  beforeAll(async () => {
    appDir = buildApp();
    app = await startAppUnderTest(appDir, { ...services().env(), SLUICE_CONFIG: JSON.stringify(config) });
    const blobs = createBlobServiceClient({ connectionString: services().blob.connectionString });
    landing = blobs.getContainerClient('landing');
    await ensureContainer(landing);
    await ensureContainer(blobs.getContainerClient('rejects'));
  }, 180_000);
  afterAll(async () => {
    await app?.stop();
    if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
  });

  async function load(body: Record<string, unknown>): Promise<{ runtimeStatus: string; output: unknown }> {
    const response = await app.call('POST', 'loads', { body });
    expect(response.status).toBe(202);
    const started = (await response.json()) as { statusQueryGetUri: string };
    await app.durableIdle();
    return (await (await fetch(started.statusQueryGetUri)).json()) as { runtimeStatus: string; output: unknown };
  }

  async function documents(container: string): Promise<{ checksum: string; count: number; etags: string[] }> {
    const { resources } = await cosmos(container).items
      .query<{ id: string; account_id: number; version: number; region: string; balance: number; note: string; _etag: string }>('SELECT * FROM c').fetchAll();
    resources.sort((a, b) => a.account_id - b.account_id);
    for (const doc of resources) expect(doc.id).toBe(String(doc.account_id));
    const lines = resources.map((d) => `${d.account_id}|${d.version}|${d.region}|${d.balance}|${d.note}`);
    return { checksum: createHash('sha256').update(lines.join('\n')).digest('hex'), count: resources.length, etags: resources.map((d) => d._etag) };
  }

  /** Most chunk loads in flight at once, from the activity's start/finish log lines. */
  function maxChunksInFlight(): number {
    let inFlight = 0;
    let max = 0;
    for (const entry of app.logs) {
      if (entry.message.includes('sluice:elt chunk started')) max = Math.max(max, ++inFlight);
      else if (entry.message.includes('sluice:elt chunk finished')) inFlight--;
    }
    return max;
  }

  const first = Array.from({ length: rows }, (_, i) => row(i + 1, 1));
  const good = first.filter((r) => !bad.has(r.id));

  it('loads a CSV exactly as typed documents in parallel chunks under target capacity 2, with rejects listed by line', async () => {
    await landing.getBlockBlobClient('accounts/day1.csv').uploadData(Buffer.from(csvOf(first, bad)));
    const status = await load({ pipeline: 'accounts', blob: 'accounts/day1.csv' });
    expect(status.runtimeStatus).toBe('Completed');
    const output = status.output as { loadId: string; chunksTotal: number; rows: number; rejects: number; permits: number; merge: unknown };
    expect(output).toMatchObject({ rows: good.length, rejects: 3, permits: 2, merge: { candidates: good.length, inserted: good.length, updated: 0, skippedByGuard: 0 } });
    expect(output.chunksTotal).toBeGreaterThanOrEqual(4);
    expect(maxChunksInFlight()).toBe(2);
    const stored = await documents('accounts');
    expect({ count: stored.count, checksum: stored.checksum }).toEqual({ count: good.length, checksum: checksumOf(good) });
    const rejectsContainer = createBlobServiceClient({ connectionString: services().blob.connectionString }).getContainerClient('rejects');
    const reasons: string[] = [];
    for await (const blob of rejectsContainer.listBlobsFlat({ prefix: `${output.loadId}/` })) {
      const text = (await rejectsContainer.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
      reasons.push(...text.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { reason: string }).reason));
    }
    expect(reasons).toEqual(['column "balance": expected numeric, got "plenty"', 'column "balance": expected numeric, got "plenty"', 'column "balance": expected numeric, got "plenty"']);
  });

  it('loading the same file again writes nothing: every row is skipped by the guard and no document changes its ETag', async () => {
    const before = await documents('accounts');
    const status = await load({ pipeline: 'accounts', blob: 'accounts/day1.csv' });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toMatchObject({ merge: { inserted: 0, updated: 0, skippedByGuard: good.length } });
    expect(await documents('accounts')).toEqual(before);
  });

  it('never applies an older version: only the rows newer than the stored documents change', async () => {
    // Ids 1-100 come back older (version 0), ids 101-150 newer (version 2).
    const update = [...Array.from({ length: 100 }, (_, i) => ({ ...row(i + 1, 0), note: 'stale' })), ...Array.from({ length: 50 }, (_, i) => row(i + 101, 2))];
    await landing.getBlockBlobClient('accounts/day2.csv').uploadData(Buffer.from(csvOf(update)));
    const status = await load({ pipeline: 'accounts', blob: 'accounts/day2.csv' });
    expect(status.runtimeStatus).toBe('Completed');
    const staleBad = update.filter((r) => bad.has(r.id)).length;
    expect(status.output).toMatchObject({ merge: { inserted: staleBad, updated: 50, skippedByGuard: 100 - staleBad } });
    // A bad row of day 1 (id 77) now arrives as version 0: it is new, so it is inserted.
    const expected = new Map(good.map((r) => [r.id, r]));
    for (const r of update) if (r.version === 2 || !expected.has(r.id)) expected.set(r.id, r);
    expect((await documents('accounts')).checksum).toBe(checksumOf([...expected.values()]));
  });

  it('applies the newest version when concurrent chunks write the same ids with different versions', async () => {
    // Five copies of ids 1-150, versions 1-5 in a different order per id: every chunk competes with others for each id.
    const ids = Array.from({ length: 150 }, (_, i) => i + 1);
    const blocks = [0, 1, 2, 3, 4].map((k) => ids.map((id) => row(id, ((id + k * 2) % 5) + 1)));
    await landing.getBlockBlobClient('accounts/races.csv').uploadData(Buffer.from(csvOf(blocks.flat())));
    const status = await load({ pipeline: 'races', blob: 'accounts/races.csv' });
    expect(status.runtimeStatus).toBe('Completed');
    const output = status.output as { loadId: string; chunksTotal: number; merge: { inserted: number } };
    expect(output.chunksTotal).toBeGreaterThanOrEqual(3);
    expect(output.merge.inserted).toBe(150);
    expect((await documents('races')).checksum).toBe(checksumOf(ids.map((id) => row(id, 5))));
    const retried = app.logs.filter((e) => e.message.includes('sluice:elt chunk finished') && e.message.includes(`"loadId":"${output.loadId}"`))
      .map((e) => Number(/"retried":(\d+)/.exec(e.message)?.[1] ?? 0));
    // Informational: how many writes lost a race and were decided again (depends on timing, so not asserted).
    process.stdout.write(`races: writes decided again after a conflict: ${retried.reduce((a, b) => a + b, 0)}\n`);
  });

  it('without validateBeforeWrite loads a gzip NDJSON file in one pass (id as is, timestamps to UTC, JSON kept) and a failure keeps what was written', async () => {
    const lines = [
      { id: 'a-1', seq: 2, at: '2026-11-23T10:00:00+01:00', tags: ['x'], extra: { deep: true } },
      { id: 'a-1', seq: 1, at: '2026-11-23T08:00:00Z', tags: [] },
      { id: 'b/2', seq: 1, at: '2026-11-23T08:00:00Z', tags: null },
      { id: 'c-3', seq: 'one' },
    ].map((l) => JSON.stringify(l)).join('\n');
    await landing.getBlockBlobClient('accounts/events.ndjson.gz').uploadData(gzipSync(Buffer.from(lines)));
    const status = await load({ pipeline: 'events', blob: 'accounts/events.ndjson.gz' });
    expect(status.runtimeStatus).toBe('Failed');
    expect(JSON.stringify(status.output)).toContain('rejected 2 of 4 rows (50.00%), more than maxRejectRatio 0; the documents of its valid rows were written');
    const { resources } = await cosmos('events').items.query<Record<string, unknown>>('SELECT c.id, c.seq, c.at, c.tags, c.extra FROM c').fetchAll();
    expect(resources).toEqual([{ id: 'a-1', seq: 2, at: '2026-11-23T09:00:00.000Z', tags: ['x'], extra: { deep: true } }]);
  });

  it('fails past maxRejectRatio after checking every chunk, before writing any document', async () => {
    const status = await load({ pipeline: 'accounts-strict', blob: 'accounts/day1.csv' });
    expect(status.runtimeStatus).toBe('Failed');
    expect(JSON.stringify(status.output)).toContain('rejected 3 of 1200 rows (0.25%), more than maxRejectRatio 0.001; no document was written (every chunk was checked before writing)');
    // The container was not even created.
    await expect(cosmos('accounts-strict').read()).rejects.toMatchObject({ code: 404 });
  });
});
