import { gzipSync } from 'node:zlib';
import type { InvocationContext } from '@azure/functions';
import type { Pool } from 'pg';
import { createBlobServiceClient, ensureContainer } from '../../../connectors/blob';
import { createPgPool } from '../../../connectors/postgres';
import { dropLoadStaging, loadChunk, mergeLoad, planLoad } from '../../../functions/activities/elt-load';
import { useLocalServices } from '../../support/local-services';

const services = useLocalServices();
let pg: Pool;

const table = {
  schema: 'lake', table: 'fast', keyColumns: ['id'], versionColumn: 'version',
  columns: [{ name: 'id', type: 'bigint' }, { name: 'version', type: 'bigint' }, { name: 'note', type: 'text' }, { name: 'amount', type: 'numeric' }],
};
const format = { kind: 'csv', gzip: false, delimiter: ',', quote: '"', newlinesInQuotes: true } as const;

/** Notes hold commas, quotes and (every third row) a newline; `bad` rows get an amount coerce.ts rejects. */
function generate(rows: number, bad: ReadonlySet<number>): { csv: string; lineOf: Map<number, number> } {
  const parts = ['id,version,note,amount\n'];
  const lineOf = new Map<number, number>();
  let line = 2;
  for (let id = 1; id <= rows; id++) {
    lineOf.set(id, line);
    const note = `note ${id}, "q"${id % 3 === 0 ? '\nsecond line' : ''}`;
    parts.push(`${id},1,"${note.replaceAll('"', '""')}",${bad.has(id) ? 'lots' : `${id}.25`}\n`);
    line += id % 3 === 0 ? 2 : 1;
  }
  return { csv: parts.join(''), lineOf };
}

/** Runs the eltLoad activities in the orchestration's order and returns which path each chunk took. */
async function load(loadId: string, blob: string, targetChunkBytes: number) {
  const logs: string[] = [];
  const context = { log: (...parts: unknown[]) => logs.push(parts.join(' ')) } as unknown as InvocationContext;
  const plan = await planLoad({ loadId, container: 'landing', selection: { blob }, format, table, targetChunkBytes });
  const chunks = await Promise.all(plan.chunks.map((chunk) =>
    loadChunk({ loadId, container: 'landing', rejectsContainer: 'rejects', format, table, chunk }, context)));
  const merge = await mergeLoad({ loadId, table, chunkCount: plan.chunks.length });
  await dropLoadStaging({ loadId, chunkCount: plan.chunks.length });
  const paths = plan.chunks.map((c) => /"path":"([a-z-]+)"/.exec(logs.find((l) => l.includes('chunk finished') && l.includes(`"chunkIndex":${c.chunkIndex},`)) ?? '')?.[1]);
  return { chunks, merge, paths };
}

beforeAll(async () => {
  Object.assign(process.env, services().env());
  pg = createPgPool({ connectionString: services().postgres.connectionString, max: 2 });
  const blobs = createBlobServiceClient({ connectionString: services().blob.connectionString });
  await ensureContainer(blobs.getContainerClient('landing'));
  await ensureContainer(blobs.getContainerClient('rejects'));
});
afterAll(async () => {
  await pg?.end();
});

describe('eltLoadChunk CSV fast path', () => {
  it('loads clean chunks through COPY (format csv) and only the chunk with a bad row through csv-parse, rejecting that row precisely', async () => {
    const blobs = createBlobServiceClient({ connectionString: services().blob.connectionString });
    const { csv, lineOf } = generate(3000, new Set([2500]));
    await blobs.getContainerClient('landing').getBlockBlobClient('fast/day.csv').uploadData(Buffer.from(csv));
    const { chunks, merge, paths } = await load('load-fast', 'fast/day.csv', Math.ceil(Buffer.byteLength(csv) / 3));
    expect(paths).toEqual(['copy-csv', 'copy-csv', 'csv-parse']);
    expect(chunks.map((c) => c.rejects)).toEqual([0, 0, 1]);
    expect(merge).toMatchObject({ inserted: 2999, updated: 0 });
    const rejects = await blobs.getContainerClient('rejects').getBlockBlobClient(chunks[2]!.rejectsBlob!).downloadToBuffer();
    const reject = JSON.parse(rejects.toString()) as { file: string; line: number; raw: string; reason: string };
    expect(reject).toEqual({ file: 'fast/day.csv', line: lineOf.get(2500), raw: '2500,1,"note 2500, ""q""",lots', reason: 'column "amount": expected numeric, got "lots"' });
    const { rows } = await pg.query(`select count(*)::int as n, sum(amount)::text as s, max(note) filter (where id = 2997) as note from lake.fast`);
    expect(rows[0]).toEqual({ n: 2999, s: String(Array.from({ length: 3000 }, (_, i) => i + 1).filter((id) => id !== 2500).reduce((a, id) => a + id, 0) + 2999 * 0.25), note: 'note 2997, "q"\nsecond line' });
  }, 60000);

  it('loads a gzip file (one chunk starting with its header) through COPY (format csv), and a reload changes nothing', async () => {
    const blobs = createBlobServiceClient({ connectionString: services().blob.connectionString });
    const { csv } = generate(500, new Set());
    await blobs.getContainerClient('landing').getBlockBlobClient('fast/day.csv.gz').uploadData(gzipSync(csv));
    await pg.query('truncate lake.fast');
    const first = await load('load-gz', 'fast/day.csv.gz', 1 << 20);
    expect(first.paths).toEqual(['copy-csv']);
    expect(first.merge).toMatchObject({ inserted: 500 });
    const again = await load('load-gz-2', 'fast/day.csv.gz', 1 << 20);
    expect(again.merge).toMatchObject({ candidates: 500, inserted: 0, updated: 0, skippedByGuard: 500 });
  }, 60000);
});
