import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Pool } from 'pg';
import { createBlobServiceClient, ensureContainer, getBlobInfo, openRange, RejectsWriter } from '../../../connectors/blob';
import { parseCsv, readCsvHeader } from '../../../connectors/csv/parse-csv';
import { decompressIf, isGzip } from '../../../connectors/gzip';
import {
  copyChunk, createPgPool, dropStaging, ensureTargetTable, mergeStaging, targetTableSchema,
} from '../../../connectors/postgres';
import { useLocalServices } from '../../support/local-services';

const services = useLocalServices();
let pool: Pool;
beforeAll(() => {
  pool = createPgPool({ connectionString: services().postgres.connectionString, max: 4 });
});
afterAll(async () => {
  await pool?.end();
});

const table = targetTableSchema.parse({
  schema: 'lake', table: 'orders', keyColumns: ['id'], versionColumn: 'version',
  columns: [{ name: 'id', type: 'bigint' }, { name: 'version', type: 'bigint' }, { name: 'note', type: 'text' },
    { name: 'amount', type: 'numeric' }],
});

/** A CSV whose notes hold commas, quotes and newlines; every 50th row has a bad amount. Records' offsets kept. */
function generate(rows: number) {
  let body = 'id,version,note,amount\n';
  let line = 2;
  const starts: { offset: number; line: number }[] = [];
  for (let id = 1; id <= rows; id++) {
    starts.push({ offset: Buffer.byteLength(body), line });
    const note = `"note ${id}, with ""quotes""\nand a second line"`;
    const record = `${id},1,${note},${id % 50 === 0 ? 'lots' : `${id}.5`}\n`;
    body += record;
    line += 2;
  }
  return { body, starts };
}

describe('CSV from Blob into PostgreSQL', () => {
  it('loads two byte-range chunks exactly, sends bad rows to the rejects blob with their lines, and reloads idempotently', async () => {
    const blobs = createBlobServiceClient({ connectionString: services().blob.connectionString });
    const landing = blobs.getContainerClient('landing');
    const rejectsContainer = blobs.getContainerClient('rejects');
    await ensureContainer(landing);
    await ensureContainer(rejectsContainer);
    const { body, starts } = generate(2000);
    await landing.getBlockBlobClient('orders/day.csv').uploadData(Buffer.from(body));
    const info = await getBlobInfo(landing, 'orders/day.csv');
    await ensureTargetTable(pool, table);

    const split = starts[1200]!;
    const header = await readCsvHeader(await openRange(landing, info.name, { offset: 0, count: 1024, etag: info.etag }));
    const chunks = [
      { chunkIndex: 0, offset: 0, count: split.offset, columns: undefined, firstLine: 1 },
      { chunkIndex: 1, offset: split.offset, count: info.size - split.offset, columns: header, firstLine: split.line },
    ];
    const runLoad = async (loadId: string) => {
      const results = await Promise.all(chunks.map(async (chunk) => {
        const rejects = new RejectsWriter(rejectsContainer, { loadId, file: info.name, chunkIndex: chunk.chunkIndex });
        const input = await openRange(landing, info.name, { offset: chunk.offset, count: chunk.count, etag: info.etag });
        const records = parseCsv(input, { columns: chunk.columns, firstLine: chunk.firstLine, onReject: rejects.add, file: info.name });
        const copied = await copyChunk(pool, { loadId, chunkIndex: chunk.chunkIndex, table, records, mode: 'text', onReject: rejects.add });
        await rejects.flush();
        return { copied, rejects: rejects.blobName };
      }));
      const refs = chunks.map((c) => ({ loadId, chunkIndex: c.chunkIndex }));
      const merged = await mergeStaging(pool, table, refs);
      await dropStaging(pool, refs);
      return { results, merged };
    };

    const { results, merged } = await runLoad('load-1');
    expect(results.map((r) => r.copied)).toEqual([{ rows: 1176, rejects: 24 }, { rows: 784, rejects: 16 }]);
    expect(merged).toEqual({ candidates: 1960, inserted: 1960, updated: 0, skippedByGuard: 0 });

    const checksum = createHash('sha256');
    for (let id = 1; id <= 2000; id++) {
      if (id % 50 !== 0) checksum.update(`${id}|note ${id}, with "quotes"\nand a second line|${id}.5\n`);
    }
    const { rows } = await pool.query<{ line: string }>(`select id || '|' || note || '|' || amount as line from lake.orders order by id`);
    expect(createHash('sha256').update(rows.map((r) => `${r.line}\n`).join('')).digest('hex')).toBe(checksum.digest('hex'));

    const rejectText = (await getBlobInfo(rejectsContainer, results[1]!.rejects)).size;
    expect(rejectText).toBeGreaterThan(0);
    const rejectLines = [];
    for await (const chunk of await openRange(rejectsContainer, results[1]!.rejects, { offset: 0 })) rejectLines.push(String(chunk));
    const first = JSON.parse(rejectLines.join('').split('\n')[0]!);
    // Row 1250 starts on line 2 + 2 * 1249 = 2500 of the file.
    expect(first).toEqual({ file: 'orders/day.csv', line: 2500, raw: '1250,1,"note 1250, with ""quotes""\nand a second line",lots',
      reason: 'column "amount": expected numeric, got "lots"' });

    const again = await runLoad('load-2');
    expect(again.merged).toEqual({ candidates: 1960, inserted: 0, updated: 0, skippedByGuard: 1960 });
  });

  it('loads a gzip file as one chunk', async () => {
    const landing = createBlobServiceClient({ connectionString: services().blob.connectionString }).getContainerClient('landing');
    await ensureContainer(landing);
    await landing.getBlockBlobClient('orders/extra.csv.gz').uploadData(gzipSync('id,version,note,amount\n5001,1,"x\ny",1\n5002,1,z,2\n'));
    const info = await getBlobInfo(landing, 'orders/extra.csv.gz');
    await ensureTargetTable(pool, table);
    const input = decompressIf(await openRange(landing, info.name, { offset: 0, etag: info.etag }), isGzip(info.name, info.contentEncoding));
    const copied = await copyChunk(pool, { loadId: 'gz', chunkIndex: 0, table, records: parseCsv(input, { onReject: () => undefined }),
      mode: 'text', onReject: () => undefined });
    expect(copied).toEqual({ rows: 2, rejects: 0 });
    expect(await mergeStaging(pool, table, [{ loadId: 'gz', chunkIndex: 0 }])).toMatchObject({ inserted: 2 });
    await dropStaging(pool, [{ loadId: 'gz', chunkIndex: 0 }]);
  });
});
