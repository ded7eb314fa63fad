import type { Pool } from 'pg';
import { isSluiceError } from '../../../core/errors';
import {
  copyChunk, createPgPool, dropStaging, ensureTargetTable, getLiveTable, mergeStaging, stagingTableName,
  targetTableSchema, type TargetTable,
} from '../../../connectors/postgres';
import type { Reject, SourceRecord } from '../../../connectors/records';
import { useLocalServices } from '../../support/local-services';

const services = useLocalServices();
let pool: Pool;

beforeAll(() => {
  pool = createPgPool({ connectionString: services().postgres.connectionString, max: 4 });
});
afterAll(async () => {
  await pool?.end();
});

function table(name: string): TargetTable {
  return targetTableSchema.parse({
    schema: 'sales', table: name, keyColumns: ['id'], versionColumn: 'updated_at',
    columns: [
      { name: 'id', type: 'bigint' }, { name: 'updated_at', type: 'timestamptz' }, { name: 'amount', type: 'numeric' },
      { name: 'qty', type: 'int' }, { name: 'note', type: 'text' }, { name: 'active', type: 'boolean' },
      { name: 'payload', type: 'jsonb' },
    ],
  });
}

function record(line: number, values: Record<string, unknown>): SourceRecord {
  return { line, raw: JSON.stringify(values), values };
}

async function* rows(from: number, to: number, version: string): AsyncGenerator<SourceRecord> {
  for (let id = from; id <= to; id++) {
    yield record(id, { id, updated_at: version, amount: `${id}.25`, qty: id % 100, note: `n\t${id}\\x\n`,
      active: id % 2 === 0, payload: { id, tags: ['a', 'b'] } });
  }
}

async function load(target: TargetTable, loadId: string, records: AsyncIterable<SourceRecord>, rejects: Reject[] = []) {
  const copied = await copyChunk(pool, { loadId, chunkIndex: 0, table: target, records, mode: 'json', onReject: (r) => rejects.push(r) });
  const merged = await mergeStaging(pool, target, [{ loadId, chunkIndex: 0 }]);
  await dropStaging(pool, [{ loadId, chunkIndex: 0 }]);
  return { copied, merged };
}

describe('PostgreSQL sink', () => {
  it('creates the target table and verifies columns and key against the configuration', async () => {
    const target = table('ensure');
    await ensureTargetTable(pool, target);
    await ensureTargetTable(pool, target);
    const live = await getLiveTable(pool, 'sales', 'ensure');
    expect(live?.columns.map((c) => c.name)).toEqual(target.columns.map((c) => c.name));
    expect(live?.uniqueKeys).toEqual([['id']]);

    const drifted = { ...target, columns: [...target.columns.slice(0, 2), { name: 'amount', type: 'text' as const }] };
    await expect(ensureTargetTable(pool, drifted)).rejects.toMatchObject({
      code: 'ConfigInvalid', message: expect.stringContaining('column "amount" is numeric, configured as text'),
    });
  });

  it('copies, merges with counts, and keeps values exact through COPY escaping', async () => {
    const target = table('exact');
    await ensureTargetTable(pool, target);
    const { copied, merged } = await load(target, 'load-exact', rows(1, 1000, '2026-11-23T10:00:00Z'));
    expect(copied).toEqual({ rows: 1000, rejects: 0 });
    expect(merged).toEqual({ candidates: 1000, inserted: 1000, updated: 0, skippedByGuard: 0 });
    const { rows: [row] } = await pool.query('select * from sales.exact where id = 7');
    expect(row).toEqual({ id: '7', updated_at: new Date('2026-11-23T10:00:00Z'), amount: '7.25', qty: 7,
      note: 'n\t7\\x\n', active: false, payload: { id: 7, tags: ['a', 'b'] } });
    const staging = await pool.query('select to_regclass($1) as t', [`sluice_staging.${stagingTableName('load-exact', 0)}`]);
    expect(staging.rows[0].t).toBeNull();
  });

  it('never lets an older version overwrite a newer one, and re-applying the same data changes nothing', async () => {
    const target = table('guard');
    await ensureTargetTable(pool, target);
    await load(target, 'g1', rows(1, 100, '2026-11-23T10:00:00Z'));
    const newer = await load(target, 'g2', rows(51, 150, '2026-11-23T11:00:00Z'));
    expect(newer.merged).toEqual({ candidates: 100, inserted: 50, updated: 50, skippedByGuard: 0 });
    const older = await load(target, 'g3', rows(1, 150, '2026-11-23T09:00:00Z'));
    expect(older.merged).toEqual({ candidates: 150, inserted: 0, updated: 0, skippedByGuard: 150 });
    const again = await load(target, 'g4', rows(51, 150, '2026-11-23T11:00:00Z'));
    expect(again.merged).toEqual({ candidates: 100, inserted: 0, updated: 0, skippedByGuard: 100 });
    const { rows: versions } = await pool.query(
      `select updated_at, count(*)::int as n from sales.guard group by updated_at order by updated_at`);
    expect(versions).toEqual([
      { updated_at: new Date('2026-11-23T10:00:00Z'), n: 50 }, { updated_at: new Date('2026-11-23T11:00:00Z'), n: 100 },
    ]);
  });

  it('keeps only the newest version of a key that appears several times across chunks of one load', async () => {
    const target = table('dedupe');
    await ensureTargetTable(pool, target);
    const versions = ['2026-11-23T10:00:00Z', '2026-11-23T12:00:00Z', '2026-11-23T11:00:00Z'];
    for (const [chunkIndex, version] of versions.entries()) {
      await copyChunk(pool, { loadId: 'd', chunkIndex, table: target, records: rows(1, 10, version), mode: 'json', onReject: () => undefined });
    }
    const chunks = versions.map((_, chunkIndex) => ({ loadId: 'd', chunkIndex }));
    expect(await mergeStaging(pool, target, chunks)).toEqual({ candidates: 10, inserted: 10, updated: 0, skippedByGuard: 0 });
    const { rows: [row] } = await pool.query('select count(*)::int as n, max(updated_at) as v, min(updated_at) as m from sales.dedupe');
    expect(row).toEqual({ n: 10, v: new Date(versions[1]!), m: new Date(versions[1]!) });
    await dropStaging(pool, chunks);
  });

  it('turns rows with bad values into rejects with line and reason instead of failing the COPY', async () => {
    const target = table('rejects');
    await ensureTargetTable(pool, target);
    async function* mixed(): AsyncGenerator<SourceRecord> {
      yield* rows(1, 3, '2026-11-23T10:00:00Z');
      yield record(4, { id: 4, updated_at: '2026-11-23T10:00:00Z', qty: 'many' });
      yield record(5, { id: 5, updated_at: '2026-02-30T10:00:00Z' });
      yield record(6, { id: 'x6', updated_at: '2026-11-23T10:00:00Z' });
      yield record(7, { updated_at: '2026-11-23T10:00:00Z' });
      yield record(8, { id: 8, updated_at: '2026-11-23T10:00:00Z', qty: 2147483648 });
      yield* rows(9, 10, '2026-11-23T10:00:00Z');
    }
    const rejects: Reject[] = [];
    const { copied, merged } = await load(target, 'r', mixed(), rejects);
    expect(copied).toEqual({ rows: 5, rejects: 5 });
    expect(merged.inserted).toBe(5);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [4, 'column "qty": expected int, got "many"'],
      [5, 'column "updated_at": not a valid date/time: "2026-02-30T10:00:00Z"'],
      [6, 'column "id": expected bigint, got "x6"'],
      [7, 'column "id": a key or version column cannot be empty'],
      [8, 'column "qty": int out of range: 2147483648'],
    ]);
    expect(rejects[0]!.raw).toContain('"many"');
  });

  it('leaves no duplicates when a COPY is killed mid-stream and the chunk is retried', async () => {
    const target = table('killed');
    await ensureTargetTable(pool, target);
    const chunk = { loadId: 'kill', chunkIndex: 3, table: target, mode: 'json' as const, onReject: () => undefined };
    // First attempt: stream 20,000 rows, then the server kills the backend while the COPY is still open.
    let releaseSource!: () => void;
    const sourcePaused = new Promise<void>((resolve) => { releaseSource = resolve; });
    let reachedPause!: () => void;
    const paused = new Promise<void>((resolve) => { reachedPause = resolve; });
    async function* killedSource(): AsyncGenerator<SourceRecord> {
      yield* rows(1, 20000, '2026-11-23T10:00:00Z');
      reachedPause();
      await sourcePaused;
      yield* rows(20001, 30000, '2026-11-23T10:00:00Z');
    }
    const first = copyChunk(pool, { ...chunk, records: killedSource() });
    await paused;
    const killed = await pool.query(
      `select pg_terminate_backend(pid) as ok from pg_stat_activity where query like 'copy "sluice_staging".%' and state <> 'idle'`);
    expect(killed.rows).toEqual([{ ok: true }]);
    releaseSource();
    const error: unknown = await first.then(() => undefined, (e: unknown) => e);
    expect(isSluiceError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'SinkFailed', retryable: true });
    const afterKill = await pool.query('select to_regclass($1) as t', [`sluice_staging.${stagingTableName('kill', 3)}`]);
    expect(afterKill.rows[0].t).toBeNull();

    // A second attempt that completes, then a third (e.g. the activity's result was lost) of the same chunk.
    expect(await copyChunk(pool, { ...chunk, records: rows(1, 30000, '2026-11-23T10:00:00Z') })).toEqual({ rows: 30000, rejects: 0 });
    expect(await copyChunk(pool, { ...chunk, records: rows(1, 30000, '2026-11-23T10:00:00Z') })).toEqual({ rows: 30000, rejects: 0 });
    const staged = await pool.query(`select count(*)::int as n, count(distinct id)::int as d from sluice_staging.${stagingTableName('kill', 3)}`);
    expect(staged.rows[0]).toEqual({ n: 30000, d: 30000 });
    const merged = await mergeStaging(pool, target, [{ loadId: 'kill', chunkIndex: 3 }]);
    expect(merged.inserted).toBe(30000);
    await dropStaging(pool, [{ loadId: 'kill', chunkIndex: 3 }]);
  });

  it('refuses to merge when a chunk was never staged, naming the missing table', async () => {
    const target = table('missing');
    await ensureTargetTable(pool, target);
    await expect(mergeStaging(pool, target, [{ loadId: 'never', chunkIndex: 0 }])).rejects.toMatchObject({
      code: 'PreconditionFailed', retryable: false, message: expect.stringContaining(stagingTableName('never', 0)),
    });
  });

  it('translates an authentication failure into a non-retryable SinkFailed error', async () => {
    const bad = createPgPool({ connectionString: services().postgres.connectionString, password: async () => 'wrong' });
    try {
      await expect(ensureTargetTable(bad, table('auth'))).rejects.toMatchObject({ code: 'SinkFailed', retryable: false,
        message: expect.stringContaining('To fix: check the credentials') });
    } finally {
      await bad.end();
    }
  });
});
