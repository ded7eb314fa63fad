/**
 * Acceptance (issue 6): a generated 1,000,000-row CSV whose quoted notes hold commas, doubled quotes and newlines
 * loads exactly (row count and an md5 over the sorted rows computed in SQL, equal to the one computed while
 * generating) in parallel chunks under target capacity 4: never more than 4 chunk loads at once, and 4 reached.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { createBlobServiceClient, ensureContainer } from '../../../connectors/blob';
import { waitForFinished } from '../../support/load-status';
import { useLocalServices } from '../../support/local-services';
import { buildApp, startAppUnderTest, type AppUnderTest } from '../config/app-under-test';

const services = useLocalServices();
const rowCount = 1_000_000;
const capacity = 4;
const config = {
  semaphores: [{ kind: 'target', name: 'pg', capacity }],
  pipelines: [{
    name: 'sales', streams: ['sales'], source: { kind: 'blob', container: 'landing', prefix: 'sales/' },
    target: { kind: 'postgres', schema: 'lake', table: 'sales' }, targetSemaphore: 'pg',
    keyColumns: ['id'], versionColumn: 'version', columns: { id: 'bigint', version: 'bigint', note: 'text', amount: 'numeric' },
    format: { kind: 'csv' }, maxRejectRatio: 0, targetChunkBytes: 4 * 1024 * 1024, maxTargetPermits: 8,
  }],
};

const noteOf = (id: number) => `sale ${id}, "rep ${id % 97}"${id % 7 === 0 ? '\nsecond line' : ''}`;

/** The CSV as a stream of ~1 MiB pieces; `md5` is final once the stream ended. */
function generate(): { stream: Readable; md5: () => string; bytes: () => number } {
  const hash = createHash('md5');
  let bytes = 0;
  let digest: string | undefined;
  function* pieces(): Generator<Buffer> {
    let text = 'id,version,note,amount\n';
    for (let id = 1; id <= rowCount; id++) {
      const note = noteOf(id);
      const amount = `${id % 100_000}.${String(id % 100).padStart(2, '0')}`;
      text += `${id},1,"${note.replaceAll('"', '""')}",${amount}\n`;
      hash.update(`${id === 1 ? '' : '\n'}${id}|${note}|${amount}`);
      if (text.length >= 1 << 20 || id === rowCount) {
        const piece = Buffer.from(text);
        bytes += piece.length;
        text = '';
        yield piece;
      }
    }
    digest = hash.digest('hex');
  }
  return { stream: Readable.from(pieces()), md5: () => digest ?? '', bytes: () => bytes };
}

describe('ELT acceptance: 1,000,000 rows', () => {
  let app: AppUnderTest;
  let appDir: string;
  let pg: Client;

  beforeAll(async () => {
    appDir = buildApp();
    app = await startAppUnderTest(appDir, { ...services().env(), SLUICE_CONFIG: JSON.stringify(config) });
    pg = new Client({ connectionString: services().postgres.connectionString });
    await pg.connect();
  }, 180_000);
  afterAll(async () => {
    await pg?.end();
    await app?.stop();
    if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
  });

  it('loads a 1M-row CSV with quoted commas, quotes and newlines exactly, at most and at least 4 chunk loads at once', async () => {
    const blobs = createBlobServiceClient({ connectionString: services().blob.connectionString });
    const landing = blobs.getContainerClient('landing');
    await ensureContainer(landing);
    await ensureContainer(blobs.getContainerClient('rejects'));
    const generated = generate();
    const t0 = Date.now();
    await landing.getBlockBlobClient('sales/all.csv').uploadStream(generated.stream, 4 * 1024 * 1024, 2);
    const uploadedInMs = Date.now() - t0;

    const response = await app.call('POST', 'loads', { body: { pipeline: 'sales', blob: 'sales/all.csv' } });
    expect(response.status).toBe(202);
    const started = (await response.json()) as { id: string; statusQueryGetUri: string };
    const status = await waitForFinished(started.statusQueryGetUri, 540_000, 250);
    const loadedInMs = Date.now() - t0 - uploadedInMs;
    expect(status.runtimeStatus).toBe('Completed');
    const output = status.output as { chunksTotal: number; rows: number; rejects: number; permits: number; bytes: number };
    expect(output).toMatchObject({ rows: rowCount, rejects: 0, permits: capacity, bytes: generated.bytes() });
    expect(output.chunksTotal).toBeGreaterThan(capacity);

    let inFlight = 0;
    let max = 0;
    for (const entry of app.logs) {
      if (entry.message.includes('sluice:elt chunk started')) max = Math.max(max, ++inFlight);
      else if (entry.message.includes('sluice:elt chunk finished')) inFlight--;
    }
    expect(max).toBe(capacity);

    const sql = await pg.query<{ n: number; sum: string }>(`select count(*)::int as n, md5(string_agg(id || '|' || note || '|' || amount, E'\\n' order by id)) as sum from lake.sales`);
    expect(sql.rows[0]).toEqual({ n: rowCount, sum: generated.md5() });
    process.stdout.write(`elt 1M: ${generated.bytes()} bytes, ${output.chunksTotal} chunks, upload ${uploadedInMs} ms, load ${loadedInMs} ms (${Math.round(rowCount / (loadedInMs / 1000))} rows/s)\n`);
  }, 600_000);
});
