import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { createBlobServiceClient, ensureContainer } from '../../../connectors/blob';
import { waitForFinished } from '../../support/load-status';
import { useLocalServices } from '../../support/local-services';
import { buildApp, startAppUnderTest, type AppUnderTest } from '../config/app-under-test';

const services = useLocalServices();
const rows = 3000;
/** Rows whose amount is not numeric, and one with a missing field: 15 rejects of 3000 (0.5%). */
const badAmount = new Set([100, 300, 500, 700, 900, 1100, 1300, 1500, 1700, 1900, 2200, 2500, 2800, 2999]);
const shortRow = 1234;

const pipeline = (name: string, maxRejectRatio: number) => ({
  name, streams: [name], source: { kind: 'blob', container: 'landing', prefix: 'orders/' },
  target: { kind: 'postgres', schema: 'lake', table: 'orders' }, targetSemaphore: 'pg',
  keyColumns: ['id'], versionColumn: 'version', columns: { id: 'bigint', version: 'bigint', note: 'text', amount: 'numeric' },
  format: { kind: 'csv' }, maxRejectRatio, targetChunkBytes: 24 * 1024, maxTargetPermits: 4,
});
const eventsJson = {
  name: 'events-json', streams: ['events-json'], source: { kind: 'blob', container: 'landing', prefix: 'events/' },
  target: { kind: 'postgres', schema: 'lake', table: 'events_json' }, targetSemaphore: 'pg',
  keyColumns: ['id'], versionColumn: 'version', columns: { id: 'bigint', version: 'bigint', note: 'text' },
  format: { kind: 'ndjson' }, maxRejectRatio: 0.01, targetChunkBytes: 24 * 1024, maxTargetPermits: 4,
};
const config = { semaphores: [{ kind: 'target', name: 'pg', capacity: 2 }], pipelines: [pipeline('orders', 0.01), pipeline('orders-strict', 0.001), eventsJson] };

/** Notes hold commas, doubled quotes and newlines; the expected checksum covers only the good rows. */
function generate(): { csv: string; checksum: string; good: number } {
  const parts = ['id,version,note,amount\n'];
  const hash = createHash('sha256');
  let good = 0;
  for (let id = 1; id <= rows; id++) {
    const note = `note ${id}, with "quotes"${id % 3 === 0 ? '\nand a second line' : ''}`;
    const amount = badAmount.has(id) ? 'lots' : `${id}.25`;
    const quoted = `"${note.replaceAll('"', '""')}"`;
    parts.push(id === shortRow ? `${id},1,${quoted}\n` : `${id},1,${quoted},${amount}\n`);
    if (!badAmount.has(id) && id !== shortRow) {
      hash.update(`${id}|${note}|${id}.25\n`);
      good++;
    }
  }
  return { csv: parts.join(''), checksum: hash.digest('hex'), good };
}

describe('ELT load from Blob into PostgreSQL on the local host', () => {
  let app: AppUnderTest;
  let appDir: string;
  let pg: Client;
  const data = generate();

  beforeAll(async () => {
    appDir = buildApp();
    app = await startAppUnderTest(appDir, { ...services().env(), SLUICE_CONFIG: JSON.stringify(config) });
    pg = new Client({ connectionString: services().postgres.connectionString });
    await pg.connect();
    const blobs = createBlobServiceClient({ connectionString: services().blob.connectionString });
    const landing = blobs.getContainerClient('landing');
    await ensureContainer(landing);
    await ensureContainer(blobs.getContainerClient('rejects'));
    await landing.getBlockBlobClient('orders/day.csv').uploadData(Buffer.from(data.csv));
  }, 180_000);
  afterAll(async () => {
    await pg?.end();
    await app?.stop();
    if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
  });

  /** Starts a load through the API and returns its final Durable status. */
  async function load(body: Record<string, unknown>): Promise<{ id: string; runtimeStatus: string; output: unknown; customStatus: unknown }> {
    const response = await app.call('POST', 'loads', { body });
    expect(response.status).toBe(202);
    const started = (await response.json()) as { id: string; statusQueryGetUri: string };
    expect(response.headers.get('location')).toBe(started.statusQueryGetUri);
    return { id: started.id, ...await waitForFinished(started.statusQueryGetUri, 120_000) };
  }

  async function tableState(): Promise<{ count: number; checksum: string }> {
    const result = await pg.query<{ line: string }>(`select id || '|' || note || '|' || amount as line from lake.orders order by id`);
    return { count: result.rows.length, checksum: createHash('sha256').update(result.rows.map((r) => `${r.line}\n`).join('')).digest('hex') };
  }

  async function rejectLines(loadId: string): Promise<Array<{ file: string; line: number; raw: string; reason: string }>> {
    const container = createBlobServiceClient({ connectionString: services().blob.connectionString }).getContainerClient('rejects');
    const lines = [];
    for await (const blob of container.listBlobsFlat({ prefix: `${loadId}/` })) {
      const text = (await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
      lines.push(...text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { file: string; line: number; raw: string; reason: string }));
    }
    return lines;
  }

  /** Most chunk loads in flight at once, from the activity's start/finish log lines in host order. */
  function chunkConcurrency(): { starts: number; max: number } {
    let inFlight = 0;
    let max = 0;
    let starts = 0;
    for (const entry of app.logs) {
      if (entry.message.includes('sluice:elt chunk started')) {
        starts++;
        max = Math.max(max, ++inFlight);
      } else if (entry.message.includes('sluice:elt chunk finished')) inFlight--;
    }
    return { starts, max };
  }

  it('loads the file exactly in parallel chunks under target capacity 2, with rejects listed by line', async () => {
    const status = await load({ pipeline: 'orders', blob: 'orders/day.csv' });
    expect(status.runtimeStatus).toBe('Completed');
    const output = status.output as { loadId: string; chunksTotal: number; rows: number; rejects: number; permits: number; merge: { inserted: number } };
    expect(output).toMatchObject({ rows: data.good, rejects: 15, permits: 2, merge: { inserted: data.good } });
    expect(output.chunksTotal).toBeGreaterThanOrEqual(4);
    expect(status.customStatus).toMatchObject({ chunksDone: output.chunksTotal, chunksTotal: output.chunksTotal, rows: data.good, rejects: 15, bytesDone: expect.any(Number), bytesTotal: expect.any(Number) });
    // GET /api/loads/{id}: the status with the ledger entry, which names the file at the version it was read.
    const got = await app.call('GET', `loads/${output.loadId}`);
    expect(got.status).toBe(200);
    const view = (await got.json()) as { runtimeStatus: string; customStatus: unknown; ledger: Record<string, unknown> };
    expect(view.runtimeStatus).toBe('Completed');
    expect(view.customStatus).toEqual(status.customStatus);
    expect(view.ledger).toMatchObject({ id: `load:${output.loadId}`, stream: 'orders', kind: 'load', outcome: 'succeeded', files: ['orders/day.csv'],
      sources: [{ file: 'orders/day.csv', etag: expect.any(String), bytes: Buffer.byteLength(data.csv) }],
      counts: { rows: data.good, rejects: 15, inserted: data.good, updated: 0, skippedByGuard: 0 },
      durations: { totalInMs: expect.any(Number), chunksInMs: expect.any(Number), mergeInMs: expect.any(Number) } });
    expect((await app.call('GET', 'loads/load-nope')).status).toBe(404);
    expect(await tableState()).toEqual({ count: data.good, checksum: data.checksum });
    expect(chunkConcurrency()).toEqual({ starts: output.chunksTotal, max: 2 });
    // Each bad row is in the rejects blobs with its file and the line it starts on (a third of the notes span two lines).
    const rejects = await rejectLines(output.loadId);
    const lineOf = (id: number) => 1 + id + Math.floor((id - 1) / 3);
    expect(rejects.map((r) => r.line).sort((x, y) => x - y)).toEqual([...badAmount, shortRow].sort((x, y) => x - y).map(lineOf));
    expect(rejects.find((r) => r.line === lineOf(shortRow))).toEqual({ file: 'orders/day.csv', line: lineOf(shortRow), raw: '1234,1,"note 1234, with ""quotes"""', reason: 'expected 4 fields, got 3' });
  });

  it('loading the same file again, named by its blob URL, changes nothing (every row skipped by the version guard)', async () => {
    const before = await tableState();
    const status = await load({ pipeline: 'orders', blobUrl: `${services().blob.blobEndpoint}/landing/orders/day.csv` });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toMatchObject({ rows: data.good, rejects: 15, merge: { candidates: data.good, inserted: 0, updated: 0, skippedByGuard: data.good } });
    expect(await tableState()).toEqual(before);
  });

  it('fails past maxRejectRatio with a message saying how many and where, leaving the target unchanged', async () => {
    await pg.query('update lake.orders set version = 0, note = $1 where id = 1', ['older']);
    const before = await tableState();
    const status = await load({ pipeline: 'orders-strict', blob: 'orders/day.csv' });
    expect(status.runtimeStatus).toBe('Failed');
    expect(JSON.stringify(status.output)).toContain('rejected 15 of 3000 rows (0.50%), more than maxRejectRatio 0.001; the target table was not changed');
    expect(await tableState()).toEqual(before);
    const view = (await (await app.call('GET', `loads/${status.id}`)).json()) as { ledger: unknown };
    expect(view.ledger).toMatchObject({ outcome: 'failed', error: { code: 'RejectThresholdExceeded' }, counts: { rows: data.good, rejects: 15 } });
    const staging = await pg.query(`select count(*)::int as n from pg_tables where schemaname = 'sluice_staging'`);
    expect(staging.rows[0]).toEqual({ n: 0 });
  });

  it('never lets an older version of a row overwrite a newer one, while newer versions update', async () => {
    // Row 1 is at version 0 ("older", from the previous test), the others at version 1.
    const landing = createBlobServiceClient({ connectionString: services().blob.connectionString }).getContainerClient('landing');
    const csv = 'id,version,note,amount\n1,1,"back to one",1.5\n2,0,"stale",2.5\n3,5,"fresh",3.5\n';
    await landing.getBlockBlobClient('orders/mixed.csv').uploadData(Buffer.from(csv));
    const status = await load({ pipeline: 'orders', blob: 'orders/mixed.csv' });
    expect(status.output).toMatchObject({ rows: 3, rejects: 0, merge: { candidates: 3, inserted: 0, updated: 2, skippedByGuard: 1 } });
    const rows = await pg.query('select id::int, version::int, note from lake.orders where id in (1, 2, 3) order by id');
    expect(rows.rows).toEqual([{ id: 1, version: 1, note: 'back to one' }, { id: 2, version: 1, note: 'note 2, with "quotes"' }, { id: 3, version: 5, note: 'fresh' }]);
  });

  it('retries a chunk that fails mid-COPY and loads every row exactly once', async () => {
    // A trigger on each new staging table raises at the 1000th row COPYed in this database (a sequence counts
    // across attempts and rolls back with nothing), so exactly one chunk attempt fails mid-stream, once.
    await pg.query(`create schema elt_test;
      create sequence elt_test.copied_rows;
      create function elt_test.fail_once() returns trigger language plpgsql as $$
      begin
        if nextval('elt_test.copied_rows') = 1000 then raise exception 'injected failure mid-COPY'; end if;
        return new;
      end $$;
      create function elt_test.arm_staging() returns event_trigger language plpgsql as $$
      declare created record;
      begin
        for created in select * from pg_event_trigger_ddl_commands() where command_tag = 'CREATE TABLE' and schema_name = 'sluice_staging' loop
          execute format('create trigger fail_once before insert on %s for each row execute function elt_test.fail_once()', created.object_identity);
        end loop;
      end $$;
      create event trigger elt_test_arm_staging on ddl_command_end when tag in ('CREATE TABLE') execute function elt_test.arm_staging();`);
    try {
      const landing = createBlobServiceClient({ connectionString: services().blob.connectionString }).getContainerClient('landing');
      const lines = ['id,version,note,amount'];
      for (let id = 10_001; id <= 13_000; id++) lines.push(`${id},1,"retry ${id}, ""q""\nline two",${id}.5`);
      await landing.getBlockBlobClient('orders/retry.csv').uploadData(Buffer.from(`${lines.join('\n')}\n`));
      const startsBefore = chunkConcurrency().starts;
      const status = await load({ pipeline: 'orders', blob: 'orders/retry.csv' });
      expect(status.runtimeStatus).toBe('Completed');
      const output = status.output as { chunksTotal: number; rows: number; merge: { inserted: number } };
      expect(output).toMatchObject({ rows: 3000, rejects: 0, merge: { inserted: 3000 } });
      expect(chunkConcurrency().starts - startsBefore).toBe(output.chunksTotal + 1);
      expect(app.logs.some((entry) => JSON.stringify(entry).includes('injected failure mid-COPY'))).toBe(true);
      const loaded = await pg.query(`select count(*)::int as n, count(distinct id)::int as ids, md5(string_agg(id || '|' || note || '|' || amount, E'\n' order by id)) as sum
        from lake.orders where id between 10001 and 13000`);
      const expected = createHash('md5').update(Array.from({ length: 3000 }, (_, i) => `${10_001 + i}|retry ${10_001 + i}, "q"\nline two|${10_001 + i}.5`).join('\n')).digest('hex');
      expect(loaded.rows[0]).toEqual({ n: 3000, ids: 3000, sum: expected });
    } finally {
      await pg.query('drop event trigger if exists elt_test_arm_staging; drop schema if exists elt_test cascade');
    }
  });

  it('splits an NDJSON file into chunks by line probes and still reports each bad line by its absolute number', async () => {
    const landing = createBlobServiceClient({ connectionString: services().blob.connectionString }).getContainerClient('landing');
    const bad = new Set([7, 1234, 2999]);
    const lines = Array.from({ length: 3000 }, (_, i) => (bad.has(i + 1) ? `{"id": ${i + 1}, broken` : JSON.stringify({ id: i + 1, version: 1, note: `event ${i + 1}, "q"\nnext` })));
    await landing.getBlockBlobClient('events/day.ndjson').uploadData(Buffer.from(`${lines.join('\n')}\n`));
    const status = await load({ pipeline: 'events-json', blob: 'events/day.ndjson' });
    expect(status.runtimeStatus).toBe('Completed');
    const output = status.output as { loadId: string; chunksTotal: number };
    expect(output).toMatchObject({ rows: 2997, rejects: 3, merge: { inserted: 2997 } });
    expect(output.chunksTotal).toBeGreaterThanOrEqual(4);
    expect((await rejectLines(output.loadId)).map((r) => r.line).sort((x, y) => x - y)).toEqual([...bad]);
    const loaded = await pg.query(`select count(*)::int as n, md5(string_agg(id || '|' || note, E'\n' order by id)) as sum from lake.events_json`);
    const expected = createHash('md5').update(Array.from({ length: 3000 }, (_, i) => i + 1).filter((id) => !bad.has(id)).map((id) => `${id}|event ${id}, "q"\nnext`).join('\n')).digest('hex');
    expect(loaded.rows[0]).toEqual({ n: 2997, sum: expected });
  });

  it('loads every file under a prefix, one chunk per small file, and lists each file with its ETag in the ledger', async () => {
    const landing = createBlobServiceClient({ connectionString: services().blob.connectionString }).getContainerClient('landing');
    const etags: string[] = [];
    for (let f = 0; f < 3; f++) {
      const rows = Array.from({ length: 10 }, (_, i) => `${20_000 + f * 10 + i},1,"file ${f}, row ${i}",${i}.5`);
      etags.push((await landing.getBlockBlobClient(`orders/batch/part-${f}.csv`).uploadData(Buffer.from(`id,version,note,amount\n${rows.join('\n')}\n`))).etag!);
    }
    const status = await load({ pipeline: 'orders', prefix: 'orders/batch/' });
    expect(status.output).toMatchObject({ files: 3, chunksTotal: 3, rows: 30, rejects: 0, merge: { inserted: 30 } });
    const view = (await (await app.call('GET', `loads/${status.id}`)).json()) as { ledger: { sources: unknown } };
    expect(view.ledger.sources).toEqual([0, 1, 2].map((f) => ({ file: `orders/batch/part-${f}.csv`, etag: etags[f], bytes: expect.any(Number) })));
    const loaded = await pg.query('select count(*)::int as n from lake.orders where id between 20000 and 20029');
    expect(loaded.rows[0]).toEqual({ n: 30 });
  });

  it('answers 400 for an invalid body or a blob URL of another account and 404 for an unknown pipeline', async () => {
    expect((await app.call('POST', 'loads', { body: { pipeline: 'orders' } })).status).toBe(400);
    const elsewhere = await app.call('POST', 'loads', { body: { pipeline: 'orders', blobUrl: 'https://other.example/landing/orders/day.csv' } });
    expect(elsewhere.status).toBe(400);
    expect(((await elsewhere.json()) as { error: { message: string } }).error.message).toContain("is not a blob of this app's storage account");
    const unknown = await app.call('POST', 'loads', { body: { pipeline: 'nope', blob: 'orders/day.csv' } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('Pipeline "nope" does not exist');
  });
});
