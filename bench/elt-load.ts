/**
 * Issue 6 bench: end-to-end rows/s of a CSV load into PostgreSQL, side by side in one run, same file, same table
 * definition, same server, a fresh target table per scenario (every row inserts):
 *
 * - ceiling: `psql \copy staging from file with (format csv, header)` into an UNLOGGED table, then the merge
 *   statement Sluice runs (`buildMergeSql`), through psql;
 * - pgloader: `pgloader` loads the same file into an UNLOGGED table, then the same merge statement;
 * - sluice: the file in Azurite, then the `eltLoad` activities called in-process, in the orchestration's order:
 *   `eltPlanLoad` (chunk plan over the blob, k = 4 chunks), 4 x `eltLoadChunk` in parallel (ranged download,
 *   CSV fast path), `eltMergeLoad`, `eltDropLoadStaging`. Not included: the Durable orchestration and semaphore
 *   around them (a few orchestration steps; see bench/local-host.ts for their cost).
 * - sluice-app: end to end, the real app on the local host (bench/elt-load-app.ts): `POST /api/loads` to the
 *   orchestration Completed, target capacity 4 (4 chunks at once), the file already in Azurite.
 *
 * Usage: npm run bench:elt-load [-- <rows>[,<rows>...]] (default 1000000,10000000); needs psql and pgloader
 * (scripts/ensure-bench-tools.sh installs them). ELT_BENCH_SCENARIOS=ceiling,sluice,... runs a subset (ceiling
 * always). Writes bench/results/elt-load.json (overwritten by every run).
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { InvocationContext } from '@azure/functions';
import type { Pool } from 'pg';
import { createBlobServiceClient, ensureContainer } from '../connectors/blob';
import { buildMergeSql, createPgPool, ensureTargetTable, targetTableSchema, type TargetTable } from '../connectors/postgres';
import { stagingStorage } from '../connectors/postgres/staging';
import { dropLoadStaging, loadChunk, mergeLoad, planLoad } from '../functions/activities/elt-load';
import { startLocalServices, type LocalServices } from '../local/services';
import { sluiceApp } from './elt-load-app';

const run = promisify(execFile);
const sizes = (process.argv[2] ?? '1000000,10000000').split(',').map(Number);
const scenarioNames = ['ceiling', 'pgloader', 'sluice', 'sluice-app'] as const;
type Scenario = (typeof scenarioNames)[number];
const selected = chosenScenarios(process.env['ELT_BENCH_SCENARIOS']);
const chunksWanted = 4;
/** Bounds every external step (psql, pgloader). */
const stepTimeoutInMs = 30 * 60 * 1000;
const header = 'id,updated_at,amount,note,payload';
const columnList = 'id, updated_at, amount, note, payload';

/** ELT_BENCH_SCENARIOS (comma-separated) runs a subset, always with the ceiling (the baseline of the ratios). */
function chosenScenarios(value: string | undefined): Scenario[] {
  if (value === undefined || value === '') return [...scenarioNames];
  const names = value.split(',');
  if (!names.includes('ceiling') || names.some((name) => !(scenarioNames as readonly string[]).includes(name))) {
    throw new Error(`ELT_BENCH_SCENARIOS=${value} is not a list of scenarios with the ceiling. To fix: name some of ${scenarioNames.join(', ')}, ceiling included.`);
  }
  return scenarioNames.filter((name) => names.includes(name));
}

/** Writes `rows` rows; every 10th note holds a quoted comma, escaped quotes and a newline (as postgres-merge.ts). */
async function generate(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  let block = `${header}\n`;
  for (let id = 1; id <= rows; id++) {
    const note = id % 10 === 0 ? `"said ""hi"", then\nleft ${id}"` : `note ${id}`;
    block += `${id},2026-11-23T10:00:00Z,${id}.25,${note},"{""k"":${id % 100}}"\n`;
    if (block.length > 1 << 20) {
      if (!out.write(block)) await once(out, 'drain');
      block = '';
    }
  }
  out.end(block);
  await once(out, 'finish');
  return (await stat(path)).size;
}

function table(name: string): TargetTable {
  return targetTableSchema.parse({
    schema: 'bench', table: name, keyColumns: ['id'], versionColumn: 'updated_at',
    columns: [{ name: 'id', type: 'bigint' }, { name: 'updated_at', type: 'timestamptz' }, { name: 'amount', type: 'numeric' },
      { name: 'note', type: 'text' }, { name: 'payload', type: 'jsonb' }],
  });
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: Math.round(performance.now() - start), value };
}

/** libpq settings for psql from the connection string; the password travels in the environment, never in argv. */
function libpq(connectionString: string): NodeJS.ProcessEnv {
  const url = new URL(connectionString);
  return { ...process.env, PGHOST: url.hostname, PGPORT: url.port, PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password), PGDATABASE: url.pathname.slice(1) };
}

async function psql(env: NodeJS.ProcessEnv, command: string): Promise<string> {
  const { stdout } = await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-c', command], { env, timeout: stepTimeoutInMs, maxBuffer: 1 << 20 });
  return stdout.trim();
}

async function freshStaging(pool: Pool, name: string): Promise<string> {
  const staging = `bench.${name}_staging`;
  await pool.query(`drop table if exists ${staging}`);
  // The same storage options as Sluice's staging tables, so the comparison is about loading, not autovacuum.
  await pool.query(`create unlogged table ${staging} (id bigint, updated_at timestamptz, amount numeric, note text, payload jsonb) ${stagingStorage}`);
  return staging;
}

async function ceiling(pool: Pool, env: NodeJS.ProcessEnv, file: string) {
  const target = table('ceiling');
  await ensureTargetTable(pool, target);
  const staging = await freshStaging(pool, 'ceiling');
  const copy = await timed(() => psql(env, `\\copy ${staging} (${columnList}) from '${file}' with (format csv, header)`));
  const merge = await timed(() => psql(env, buildMergeSql(target, [staging])));
  await pool.query(`drop table ${staging}`);
  return { loadMs: copy.ms, mergeMs: merge.ms, totalMs: copy.ms + merge.ms };
}

async function pgloader(pool: Pool, connectionString: string, file: string, work: string) {
  const target = table('pgloader');
  await ensureTargetTable(pool, target);
  const staging = await freshStaging(pool, 'pgloader');
  const commands = join(work, 'load.pgloader');
  await writeFile(commands, `LOAD CSV FROM '${file}' (id, updated_at, amount, note, payload)
  INTO ${connectionString} TARGET TABLE bench.pgloader_staging (id, updated_at, amount, note, payload)
  WITH skip header = 1, fields optionally enclosed by '"', fields escaped by double-quote, fields terminated by ',';
`, { mode: 0o600 });
  const load = await timed(() => run('pgloader', ['--quiet', '--root-dir', join(work, 'pgloader'), commands], { timeout: stepTimeoutInMs, maxBuffer: 1 << 24 }));
  await rm(commands);
  const merge = await timed(() => pool.query(buildMergeSql(target, [staging])));
  await pool.query(`drop table ${staging}`);
  return { loadMs: load.ms, mergeMs: merge.ms, totalMs: load.ms + merge.ms };
}

/** Collects the activities' log lines: each chunk logs which path loaded it (`copy-csv` or `csv-parse`). */
const logs: string[] = [];
const context = { log: (...parts: unknown[]) => logs.push(parts.join(' ')) } as unknown as InvocationContext;

/** The eltLoad activities, in the orchestration's order, k chunks in parallel; returns phase times. */
async function sluice(blobName: string, fileBytes: number, name: string) {
  const target = table(name);
  const loadId = `bench-${name}`;
  const format = { kind: 'csv' as const, gzip: false, delimiter: ',', quote: '"', newlinesInQuotes: true };
  const targetChunkBytes = Math.ceil(fileBytes / chunksWanted);
  const plan = await timed(() => planLoad({ loadId, container: 'landing', selection: { blob: blobName }, format, table: target, targetChunkBytes }));
  logs.length = 0;
  const cpu = process.cpuUsage();
  const chunks = await timed(() => Promise.all(plan.value.chunks.map((chunk) =>
    loadChunk({ loadId, container: 'landing', rejectsContainer: 'rejects', format, table: target, chunk }, context))));
  const used = process.cpuUsage(cpu);
  const merge = await timed(() => mergeLoad({ loadId, table: target, chunkCount: plan.value.chunks.length }));
  const drop = await timed(() => dropLoadStaging({ loadId, chunkCount: plan.value.chunks.length }));
  const rows = chunks.value.reduce((sum, c) => sum + c.rows, 0);
  const rejects = chunks.value.reduce((sum, c) => sum + c.rejects, 0);
  return {
    planMs: plan.ms, loadMs: chunks.ms, mergeMs: merge.ms, dropMs: drop.ms, totalMs: plan.ms + chunks.ms + merge.ms + drop.ms,
    chunks: plan.value.chunks.length, fastPathChunks: logs.filter((l) => l.includes('"path":"copy-csv"')).length, rows, rejects, loadClientCpuMs: Math.round((used.user + used.system) / 1000),
  };
}

/** Row count and an order-independent checksum of the target, to prove every scenario loaded the same rows. */
async function fingerprint(pool: Pool, name: string): Promise<string> {
  const { rows } = await pool.query<{ n: string; h: string }>(
    `select count(*)::text as n, sum(hashtext(t::text)::bigint)::text as h from bench.${name} t`);
  return `${rows[0]!.n}:${rows[0]!.h}`;
}

async function benchSize(services: LocalServices, pool: Pool, rows: number, work: string) {
  const file = join(work, `elt-${rows}.csv`);
  const bytes = await generate(file, rows);
  const blobName = `bench/elt-${rows}.csv`;
  const landing = createBlobServiceClient({ connectionString: services.blob.connectionString }).getContainerClient('landing');
  await landing.getBlockBlobClient(blobName).uploadFile(file, { blockSize: 8 << 20, concurrency: 4 });
  const targets = selected.map((name) => name.replace('-', '_'));
  for (const name of targets) await pool.query(`drop table if exists bench.${name}`);
  const env = libpq(services.postgres.connectionString);
  const runs: Record<Scenario, () => Promise<{ totalMs: number }>> = {
    ceiling: () => ceiling(pool, env, file),
    pgloader: () => pgloader(pool, services.postgres.connectionString, file, work),
    sluice: () => sluice(blobName, bytes, 'sluice'),
    'sluice-app': () => sluiceApp(services, blobName, bytes, table('sluice_app')),
  };
  const results: Partial<Record<Scenario, { totalMs: number }>> = {};
  for (const name of selected) results[name] = await runs[name]();
  const prints = await Promise.all(targets.map((name) => fingerprint(pool, name)));
  if (new Set(prints).size !== 1 || !prints[0]!.startsWith(`${rows}:`)) throw new Error(`targets differ: ${prints.join(' ')}`);
  await rm(file);
  await landing.getBlockBlobClient(blobName).delete();
  for (const name of targets) await pool.query(`drop table bench.${name}`);
  const ceilingRate = rows / (results.ceiling!.totalMs / 1000);
  return {
    rows, csvBytes: bytes, checksum: `equal in all ${targets.length} targets`,
    scenarios: Object.fromEntries(Object.entries(results).map(([name, r]) => {
      const rowsPerSecond = Math.round(rows / (r.totalMs / 1000));
      return [name, { ...r, rowsPerSecond, ratioToCeiling: Number((rowsPerSecond / ceilingRate).toFixed(2)) }];
    })),
  };
}

function bars(results: Awaited<ReturnType<typeof benchSize>>[]): string {
  const lines: string[] = [];
  const max = Math.max(...results.flatMap((r) => Object.values(r.scenarios).map((s) => s.rowsPerSecond)));
  for (const result of results) {
    for (const [name, s] of Object.entries(result.scenarios)) {
      const bar = '#'.repeat(Math.max(1, Math.round((s.rowsPerSecond / max) * 50)));
      lines.push(`${`${result.rows / 1e6}M ${name}`.padEnd(16)} ${bar} ${s.rowsPerSecond} rows/s (${s.ratioToCeiling}x)`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const loadAverageBefore = loadavg();
  const work = await mkdtemp(join(tmpdir(), 'sluice-elt-bench-'));
  const services = await startLocalServices();
  const pool = createPgPool({ connectionString: services.postgres.connectionString, max: 4 });
  Object.assign(process.env, services.env());
  try {
    const blobs = createBlobServiceClient({ connectionString: services.blob.connectionString });
    await ensureContainer(blobs.getContainerClient('landing'));
    await ensureContainer(blobs.getContainerClient('rejects'));
    await pool.query('create schema if not exists bench');
    const { stdout: pgloaderVersion } = await run('pgloader', ['--version']);
    const { stdout: psqlVersion } = await run('psql', ['--version']);
    // Unrecorded warm-up of every path on a small file.
    await benchSize(services, pool, 20000, work);
    const server = (await pool.query<{ v: string }>('select version() as v')).rows[0]!.v;
    const results = [];
    const output = join(__dirname, '..', '..', 'bench', 'results');
    await mkdir(output, { recursive: true });
    for (const rows of sizes) {
      results.push(await benchSize(services, pool, rows, work));
      // Written after every size, so a long 10M run leaves the 1M result even if it is stopped.
      const report = {
        benchmark: 'elt-load', date: new Date().toISOString(), node: process.version, cpus: cpus().length, server,
        psql: psqlVersion.trim(), pgloader: pgloaderVersion.split('\n')[0], chunks: chunksWanted, scenarios: selected,
        loadAverageBefore, loadAverageAfter: loadavg(), results,
      };
      await writeFile(join(output, 'elt-load.json'), `${JSON.stringify(report, null, 2)}\n`);
      console.log(JSON.stringify(results.at(-1), null, 2));
    }
    console.log(bars(results));
  } finally {
    await pool.end();
    await services.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
