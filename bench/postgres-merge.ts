/**
 * PostgreSQL load path: Sluice's CSV parse + coercion + COPY into per-chunk staging + guarded merge, against the
 * ceiling: the same CSV bytes through PostgreSQL's own `COPY ... (format csv, header)` into an UNLOGGED table,
 * then the same merge SQL; and the CSV fast path (`copyCsvChunk`) on the same 4 chunks. Same table definition,
 * same data, same server, one run; a fresh target per scenario.
 * Usage: npm run bench:postgres-merge [-- <rows>]; writes bench/results/postgres-merge.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { parseCsv } from '../connectors/csv/parse-csv';
import { stagingStorage } from '../connectors/postgres/staging';
import {
  buildMergeSql, copyChunk, copyCsvChunk, createPgPool, dropStaging, ensureTargetTable, mergeStaging, targetTableSchema, type TargetTable,
} from '../connectors/postgres';
import { startPostgres } from '../local/services/postgres';

const rows = Number(process.argv[2] ?? 1_000_000);
const header = 'id,updated_at,amount,note,payload';

/** CSV text of `rows` rows; every 10th note holds a quoted comma, quote and newline. Returns record start offsets too. */
function generate(count: number): { text: string; starts: number[] } {
  const parts: string[] = [`${header}\n`];
  const starts: number[] = [];
  let offset = parts[0]!.length;
  for (let id = 1; id <= count; id++) {
    starts.push(offset);
    const note = id % 10 === 0 ? `"said ""hi"", then\nleft ${id}"` : `note ${id}`;
    const line = `${id},2026-11-23T10:00:00Z,${id}.25,${note},"{""k"":${id % 100}}"\n`;
    parts.push(line);
    offset += line.length;
  }
  return { text: parts.join(''), starts };
}

function table(name: string): TargetTable {
  return targetTableSchema.parse({
    schema: 'bench', table: name, keyColumns: ['id'], versionColumn: 'updated_at',
    columns: [{ name: 'id', type: 'bigint' }, { name: 'updated_at', type: 'timestamptz' }, { name: 'amount', type: 'numeric' },
      { name: 'note', type: 'text' }, { name: 'payload', type: 'jsonb' }],
  });
}

/** Wall time, and this process's CPU time (parse, coercion, COPY encoding happen here; the server's does not count). */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, value };
}

/** The ceiling: PostgreSQL parses the CSV itself, then the same merge statement. */
async function ceiling(pool: Pool, text: string) {
  const target = table('ceiling');
  await ensureTargetTable(pool, target);
  const staging = '"bench"."ceiling_staging"';
  const client = await pool.connect();
  try {
    await client.query(`drop table if exists ${staging}`);
    // The same storage options as Sluice's staging tables, so the comparison is about loading, not autovacuum.
    await client.query(`create unlogged table ${staging} (id bigint, updated_at timestamptz, amount numeric, note text, payload jsonb) ${stagingStorage}`);
    const copy = await timed(() => pipeline(Readable.from([text]),
      client.query(copyFrom(`copy ${staging} (id, updated_at, amount, note, payload) from stdin with (format csv, header)`))));
    const merge = await timed(() => client.query(buildMergeSql(target, [staging])));
    await client.query(`drop table ${staging}`);
    return { copyMs: copy.ms, copyClientCpuMs: copy.cpuMs, mergeMs: merge.ms, merged: Number(merge.value.rows[0].inserted) };
  } finally {
    client.release();
  }
}

/** Sluice's path with `chunks` byte-range chunks loaded in parallel (one pool connection each). */
async function sluice(pool: Pool, text: string, starts: number[], chunks: number, name: string) {
  const target = table(name);
  await ensureTargetTable(pool, target);
  const loadId = `bench-${name}`;
  const bounds = Array.from({ length: chunks }, (_, i) => ({
    chunkIndex: i,
    from: i === 0 ? 0 : starts[Math.floor((starts.length * i) / chunks)]!,
    to: i === chunks - 1 ? text.length : starts[Math.floor((starts.length * (i + 1)) / chunks)]!,
  }));
  let rejects = 0;
  const copy = await timed(() => Promise.all(bounds.map((b) => copyChunk(pool, {
    loadId, chunkIndex: b.chunkIndex, table: target, mode: 'text', onReject: () => rejects++,
    records: parseCsv(Readable.from([text.slice(b.from, b.to)]), {
      columns: b.chunkIndex === 0 ? undefined : header.split(','), onReject: () => rejects++,
    }),
  }))));
  const refs = bounds.map((b) => ({ loadId, chunkIndex: b.chunkIndex }));
  const merge = await timed(() => mergeStaging(pool, target, refs));
  await dropStaging(pool, refs);
  return { copyMs: copy.ms, copyClientCpuMs: copy.cpuMs, mergeMs: merge.ms, merged: merge.value.inserted, rejects };
}

/** The CSV fast path (`copyCsvChunk`: the chunk's bytes into COPY format csv) with `chunks` chunks in parallel. */
async function fast(pool: Pool, text: string, starts: number[], chunks: number, name: string) {
  const target = table(name);
  await ensureTargetTable(pool, target);
  const loadId = `bench-${name}`;
  const bytes = Buffer.from(text);
  const at = (i: number) => (i === 0 ? Buffer.byteLength(`${header}\n`) : i === chunks ? bytes.length
    : Buffer.byteLength(text.slice(0, starts[Math.floor((starts.length * i) / chunks)]!)));
  const bounds = Array.from({ length: chunks }, (_, i) => ({ chunkIndex: i, from: at(i), to: at(i + 1) }));
  const copy = await timed(() => Promise.all(bounds.map((b) => copyCsvChunk(pool, {
    loadId, chunkIndex: b.chunkIndex, table: target, columns: header.split(','), data: Readable.from([bytes.subarray(b.from, b.to)]),
  }))));
  if (copy.value.some((r) => !r.loaded)) throw new Error(`fast path declined: ${JSON.stringify(copy.value)}`);
  const refs = bounds.map((b) => ({ loadId, chunkIndex: b.chunkIndex }));
  const merge = await timed(() => mergeStaging(pool, target, refs));
  await dropStaging(pool, refs);
  return { copyMs: copy.ms, copyClientCpuMs: copy.cpuMs, mergeMs: merge.ms, merged: merge.value.inserted };
}

async function main(): Promise<void> {
  const loadAverageBefore = loadavg();
  const postgres = await startPostgres();
  const pool = createPgPool({ connectionString: postgres.connectionString, max: 8, connectionTimeoutInMs: 120000 });
  try {
    const { text, starts } = generate(rows);
    const results: Record<string, { copyMs: number; copyClientCpuMs: number; mergeMs: number; merged: number; rejects?: number }> = {};
    // Unrecorded warm-up on a small slice so the first measured scenario does not pay connection and cache setup.
    await sluice(pool, text.slice(0, starts[Math.min(starts.length - 1, 10000)]), starts.slice(0, 10000), 1, 'warmup');
    results.ceiling = await ceiling(pool, text);
    results.sluice1 = await sluice(pool, text, starts, 1, 'sluice1');
    results.sluice4 = await sluice(pool, text, starts, 4, 'sluice4');
    results.fast4 = await fast(pool, text, starts, 4, 'fast4');
    const summary = Object.fromEntries(Object.entries(results).map(([k, r]) => [k, {
      ...r,
      totalRowsPerSecond: Math.round(rows / ((r.copyMs + r.mergeMs) / 1000)),
      copyRowsPerSecond: Math.round(rows / (r.copyMs / 1000)),
      mergeRowsPerSecond: Math.round(rows / (r.mergeMs / 1000)),
    }]));
    const report = {
      benchmark: 'postgres-merge', date: new Date().toISOString(), rows, csvBytes: Buffer.byteLength(text),
      node: process.version, cpus: cpus().length, loadAverageBefore, loadAverageAfter: loadavg(), results: summary,
    };
    mkdirSync(join(__dirname, '..', '..', 'bench', 'results'), { recursive: true });
    writeFileSync(join(__dirname, '..', '..', 'bench', 'results', 'postgres-merge.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await pool.end();
    await postgres.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
