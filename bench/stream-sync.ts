/**
 * Stream sync end to end on the local host (in this process, durable memory store): stream entities, stream workers
 * under a source and a target semaphore (capacities 16 and 8), Azurite landing, PostgreSQL COPY + guarded merge, the
 * Cosmos ledger. Measures events/s, latency from send to row committed in PostgreSQL (p50/p99), windows and
 * semaphore grants/s, for events entering two ways:
 * - through Service Bus: the real SDK sends to the emulator (its own process), the app's session-batch ingress
 *   receives (one session at a time, as the Azure host does in batch mode) and starts `ingestBatch`;
 * - from `ingestBatch`: the ingress's output started directly (100 streams per instance), so the stream engine is
 *   measured at 10,000 streams within minutes instead of waiting on the one-session-at-a-time ingress.
 * Baselines in the same run: 100 streams each way, and the same rows as one direct COPY + merge (the database's
 * floor). Bounded: each scenario stops at BENCH_BUDGET_S (default 900 s) and reports what landed by then.
 * Run: `npm run bench:stream-sync` (writes bench/results/stream-sync.json, or BENCH_RESULTS_FILE). BENCH_STREAMS
 * (default 10000) sizes the large run; BENCH_SB_STREAMS (default 0 = skipped) adds a large run through Service Bus;
 * BENCH_SOURCE_SHARDS (default 1) splits the source semaphore into that many entities.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { Client } from 'pg';
import { copyChunk, createPgPool, dropStaging, ensureTargetTable, mergeStaging, type TargetTable } from '../connectors/postgres';
import { findPipeline, parseConfig } from '../core/config';
import { INGEST_START_RETRY, streamWorkerInputFor } from '../functions/stream-worker-config';
import { durableHostFactory } from '../local/host/durable/factory';
import { startHost, type RunningHost } from '../local/host/host';
import { createHostLogger } from '../local/host/log';
import { createSdkServiceBusSource } from '../local/host/triggers/service-bus-sdk-source';
import { startLocalServices } from '../local/services';

const repoRoot = join(__dirname, '..', '..');
const STREAMS = Number(process.env.BENCH_STREAMS ?? 10_000);
const BASELINE_STREAMS = 100;
/** Streams of the optional full-path run at scale (the Service Bus ingress serves one session at a time). */
const SB_STREAMS = Number(process.env.BENCH_SB_STREAMS ?? 0);
const BUDGET_MS = Number(process.env.BENCH_BUDGET_S ?? 900) * 1000;
/** Permits of the source and of the target semaphore. */
const SOURCE_CAPACITY = Number(process.env.BENCH_SOURCE_CAPACITY ?? 16);
const TARGET_CAPACITY = Number(process.env.BENCH_TARGET_CAPACITY ?? 8);
/** Entities the source semaphore is split into (config `shards`); 1 = one entity holds every waiter. */
const SOURCE_SHARDS = Number(process.env.BENCH_SOURCE_SHARDS ?? 1);
/** Results file under bench/results/ (several configurations are kept side by side). */
const RESULTS_FILE = process.env.BENCH_RESULTS_FILE ?? 'stream-sync.json';

const columns = { id: 'text', v: 'bigint', stream: 'text', sent_ms: 'bigint' } as const;
const config = {
  semaphores: [{ kind: 'source', name: 'crm', capacity: SOURCE_CAPACITY, shards: SOURCE_SHARDS }, { kind: 'target', name: 'pg', capacity: TARGET_CAPACITY }],
  // One pipeline (and table) per scenario, so each scenario's rows and windows are counted apart.
  pipelines: [['B', 'bench_baseline'], ['C', 'bench_baseline_engine'], ['M', 'bench_many'], ['N', 'bench_many_sb']].map(([prefix, table]) => ({
    name: table!.replaceAll('_', '-'), streams: [`${prefix}_*`], source: { kind: 'inline' }, sourceSemaphore: 'crm', target: { kind: 'postgres', table },
    targetSemaphore: 'pg', keyColumns: ['id'], versionColumn: 'v', columns,
  })),
};

interface Scenario {
  scenario: string;
  via: 'servicebus' | 'ingestBatch';
  streams: number;
  events: number;
  landed: number;
  completed: boolean;
  sendMs: number;
  /** First send to last row committed. */
  durationMs: number;
  eventsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  windows: number;
  /** One source and one target grant per window. */
  grantsPerSecond: number;
  /** Ingress function invocations (one per session batch) and their rate, first send to last invocation. */
  ingressBatches: number;
  ingressBatchesPerSecond: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The emulator in its own process (as in use), so its CPU is not the host's event loop. */
async function startEmulator(dir: string): Promise<{ connectionString: string; stop(): Promise<void> }> {
  const file = join(dir, 'queues.json');
  writeFileSync(file, JSON.stringify({ queues: [{ name: 'ingress', requiresSession: true, maxDeliveryCount: 10 }] }));
  const child = spawn(process.execPath, ['--no-warnings', join(repoRoot, 'dist', 'local', 'servicebus', 'cli.js'), '--config', file, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    connectionString: line.toString().trim(),
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The built app (repo dist/, as `npm start` loads it) with a host.json tuned for many short sessions. */
function benchAppDir(): string {
  mkdirSync(join(repoRoot, '.tools'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.tools', 'bench-app-'));
  symlinkSync(join(repoRoot, 'dist'), join(dir, 'dist'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sluice-bench', private: true, main: 'dist/functions/index.js' }));
  const hostJson = JSON.parse(readFileSync(join(repoRoot, 'host.json'), 'utf8')) as { extensions: { serviceBus: Record<string, unknown> } };
  // Batch-mode sessions are served one at a time: leave an emptied session after 50 ms instead of 5 s.
  hostJson.extensions.serviceBus.sessionIdleTimeout = '00:00:00.05';
  writeFileSync(join(dir, 'host.json'), JSON.stringify(hostJson));
  return dir;
}

function messagesFor(prefix: string, streams: number): Array<{ message: ServiceBusMessage; stream: string }> {
  const out: Array<{ message: ServiceBusMessage; stream: string }> = [];
  // Stream i gets 1 + (i % 2) events: 1.5 per stream on average. Round robin, so sessions interleave.
  for (let n = 0; n < 2; n++) {
    for (let i = 0; i < streams; i++) {
      if (n === 1 && i % 2 === 0) continue;
      const stream = `${prefix}_${i}`;
      out.push({ stream, message: { sessionId: stream, messageId: `${stream}-${n}`, contentType: 'application/json', body: { stream, occurredAtMs: 1_790_000_000_000 + n, records: [{ id: `${stream}-${n}`, v: n + 1, stream }] } } });
    }
  }
  return out;
}

async function windowsOf(host: RunningHost, key: string, prefix: string): Promise<number> {
  let windows = 0;
  let token: string | null = null;
  do {
    const query = token === null ? '' : `&continuationToken=${encodeURIComponent(token)}`;
    const response: Response = await fetch(`${host.url}/api/streams?top=1000${query}`, { headers: { 'x-functions-key': key } });
    const body = (await response.json()) as { streams: Array<{ streamId: string; counters: { windowsCommitted: number } }>; continuationToken: string | null };
    for (const s of body.streams) if (s.streamId.startsWith(`${prefix}_`)) windows += s.counters.windowsCommitted;
    token = body.continuationToken;
  } while (token !== null);
  return windows;
}

interface Context {
  sender: ReturnType<ServiceBusClient['createSender']>;
  pg: Client;
  host: RunningHost;
  keys: { function: string; master: string };
  /** When each ingress invocation ended. */
  ingressDoneAtMs: number[];
}

type Sent = Array<{ message: ServiceBusMessage; stream: string }>;

/** The real path: messages to the emulator in arrays of 100; each record carries when its array was sent. */
async function sendToServiceBus(all: Sent, ctx: Context): Promise<void> {
  for (let i = 0; i < all.length; i += 100) {
    const sentMs = Date.now();
    const slice = all.slice(i, i + 100).map(({ message }) => {
      const body = message.body as { records: Array<Record<string, unknown>> };
      return { ...message, body: { ...body, records: body.records.map((r) => ({ ...r, sent_ms: sentMs })) } };
    });
    await ctx.sender.sendMessages(slice);
  }
}

/**
 * The ingress's output without the ingress: `ingestBatch` instances of 100 streams each, started through the
 * Durable HTTP API with the input the ingress builds (events + worker input from the pipeline). Isolates the
 * stream engine (entities, semaphores, workers, extract, load) from the Service Bus trigger, which serves batch-mode
 * sessions one at a time (docs/ingress.md).
 */
async function startIngestBatches(all: Sent, ctx: Context, prefix: string): Promise<void> {
  const parsed = parseConfig(config);
  const byStream = new Map<string, unknown[]>();
  for (const { stream, message } of all) byStream.set(stream, [...(byStream.get(stream) ?? []), message.body]);
  const streams = [...byStream.keys()];
  for (let i = 0; i < streams.length; i += 100) {
    const sentMs = Date.now();
    const appends = streams.slice(i, i + 100).map((stream) => ({
      events: byStream.get(stream)!.map((e) => {
        const event = e as { records: Array<Record<string, unknown>> };
        return { ...event, records: event.records.map((r) => ({ ...r, sent_ms: sentMs })) };
      }),
      worker: streamWorkerInputFor(parsed, findPipeline(parsed, stream)!, stream),
    }));
    // 'ingestBatch' is the orchestration the ingress starts (orchestrators/ingest-batch.ts).
    const response = await fetch(`${ctx.host.url}/runtime/webhooks/durabletask/orchestrators/ingestBatch/bench-${prefix}-${i}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-functions-key': ctx.keys.master },
      body: JSON.stringify({ appends, startRetry: INGEST_START_RETRY }),
    });
    if (response.status !== 202) throw new Error(`start of ingestBatch bench-${prefix}-${i}: ${response.status} ${await response.text()}`);
  }
}

async function runScenario(name: string, prefix: string, table: string, streams: number, via: 'servicebus' | 'ingestBatch', ctx: Context): Promise<Scenario> {
  const all = messagesFor(prefix, streams);
  ctx.ingressDoneAtMs.length = 0;
  const started = Date.now();
  if (via === 'servicebus') await sendToServiceBus(all, ctx);
  else await startIngestBatches(all, ctx, prefix);
  const sendMs = Date.now() - started;
  let reportedAtMs = started;
  while (Date.now() - started < BUDGET_MS) {
    const landed = Number((await ctx.pg.query<{ n: string }>(`select count(*) as n from public.${table}`)).rows[0]!.n);
    if (landed >= all.length) break;
    if (Date.now() - reportedAtMs >= 30_000) {
      reportedAtMs = Date.now();
      console.log(`${name}: ${landed} of ${all.length} landed after ${Math.round((reportedAtMs - started) / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const rows = (await ctx.pg.query<{ sent: string; landed: string }>(
    `select sent_ms as sent, (extract(epoch from landed_at) * 1000)::bigint as landed from public.${table}`)).rows;
  const latencies = rows.map((r) => Number(r.landed) - Number(r.sent)).sort((a, b) => a - b);
  const lastLanded = Math.max(...rows.map((r) => Number(r.landed)));
  const durationMs = lastLanded - started;
  const windows = await windowsOf(ctx.host, ctx.keys.function, prefix);
  const ingress = ctx.ingressDoneAtMs.length;
  return {
    scenario: name,
    via,
    streams,
    events: all.length,
    landed: rows.length,
    completed: rows.length === all.length,
    sendMs,
    durationMs,
    eventsPerSecond: Math.round((rows.length / durationMs) * 1000),
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    latencyMaxMs: latencies.at(-1) ?? NaN,
    windows,
    grantsPerSecond: Math.round(((2 * windows) / durationMs) * 1000),
    ingressBatches: ingress,
    ingressBatchesPerSecond: ingress === 0 ? 0 : Math.round((ingress / (Math.max(...ctx.ingressDoneAtMs) - started)) * 10_000) / 10,
  };
}

/** The same rows as one COPY + merge from this process: what the database needs for the work itself. */
async function directBaseline(connectionString: string, streams: number): Promise<Record<string, number | string>> {
  const pool = createPgPool({ connectionString });
  const table: TargetTable = { schema: 'public', table: 'bench_direct', keyColumns: ['id'], versionColumn: 'v',
    columns: [{ name: 'id', type: 'text' }, { name: 'v', type: 'bigint' }, { name: 'stream', type: 'text' }, { name: 'sent_ms', type: 'bigint' }] };
  try {
    await ensureTargetTable(pool, table);
    const records = messagesFor('D', streams).map(({ message }, line) => {
      const values = { ...(message.body as { records: Array<Record<string, unknown>> }).records[0]!, sent_ms: 0 };
      return { line: line + 1, raw: JSON.stringify(values), values };
    });
    const started = performance.now();
    const ref = { loadId: 'bench-direct', chunkIndex: 0 };
    async function* source() { yield* records; }
    await copyChunk(pool, { ...ref, table, records: source(), mode: 'json', onReject: () => undefined });
    const merged = await mergeStaging(pool, table, [ref]);
    await dropStaging(pool, [ref]);
    const ms = performance.now() - started;
    return { scenario: `direct COPY + merge, one process (${records.length} rows)`, rows: merged.inserted, durationMs: Math.round(ms), rowsPerSecond: Math.round((merged.inserted / ms) * 1000) };
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-bench-stream-'));
  const appDir = benchAppDir();
  const services = await startLocalServices();
  const emulator = await startEmulator(scratch);
  Object.assign(process.env, { ...services.env(), SLUICE_SERVICEBUS: emulator.connectionString, SLUICE_INGRESS_QUEUE: 'ingress',
    SLUICE_TASK_HUB: 'SluiceBench', SLUICE_COSMOS_DATABASE: 'sluice', SLUICE_CONFIG: JSON.stringify(config) });
  const pg = new Client({ connectionString: services.postgres.connectionString });
  await pg.connect();
  // landed_at is filled by PostgreSQL when the merge inserts the row: the moment it becomes visible (at commit).
  for (const table of ['bench_baseline', 'bench_baseline_engine', 'bench_many', 'bench_many_sb']) {
    await pg.query(`create table public.${table} (id text primary key, v bigint, stream text, sent_ms bigint, landed_at timestamptz not null default clock_timestamp())`);
  }
  const ingressDoneAtMs: number[] = [];
  const host = await startHost({
    appDir, port: 0, dataDir: join(scratch, 'host'), env: process.env, logSink: () => undefined,
    durable: durableHostFactory({ store: 'memory' }),
    serviceBus: createSdkServiceBusSource({ env: process.env, logger: createHostLogger(() => undefined) }),
    onInvocationCompleted: (event) => {
      if (event.functionName === 'ingress') ingressDoneAtMs.push(Date.now());
    },
  });
  const client = new ServiceBusClient(emulator.connectionString);
  const sender = client.createSender('ingress');
  const ctx: Context = { sender, pg, host, keys: { function: host.keys.functionKeys['default'] ?? '', master: host.keys.masterKey }, ingressDoneAtMs };
  const loadStart = loadavg()[0]!;
  try {
    const results: Array<Scenario | Record<string, number | string>> = [];
    const run = async (scenario: () => Promise<Scenario | Record<string, number | string>>) => {
      results.push(await scenario());
      console.table(results);
    };
    await run(() => runScenario(`baseline: ${BASELINE_STREAMS} streams through Service Bus`, 'B', 'bench_baseline', BASELINE_STREAMS, 'servicebus', ctx));
    await run(() => runScenario(`baseline: ${BASELINE_STREAMS} streams from ingestBatch`, 'C', 'bench_baseline_engine', BASELINE_STREAMS, 'ingestBatch', ctx));
    await run(() => runScenario(`${STREAMS} streams from ingestBatch`, 'M', 'bench_many', STREAMS, 'ingestBatch', ctx));
    if (SB_STREAMS > 0) await run(() => runScenario(`${SB_STREAMS} streams through Service Bus`, 'N', 'bench_many_sb', SB_STREAMS, 'servicebus', ctx));
    await run(() => directBaseline(services.postgres.connectionString, STREAMS));
    const report = {
      bench: 'stream-sync',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      loadAverage1mAtStart: Number(loadStart.toFixed(1)),
      loadAverage1mAtEnd: Number(loadavg()[0]!.toFixed(1)),
      setup: { capacity: { source: SOURCE_CAPACITY, target: TARGET_CAPACITY }, sourceShards: SOURCE_SHARDS, eventsPerStream: '1 or 2 (1.5 on average), one inline record each', budgetInS: BUDGET_MS / 1000,
        host: 'local host in the bench process, durable memory store; Service Bus emulator in its own process; sessionIdleTimeout 50 ms' },
      results,
    };
    writeFileSync(join(repoRoot, 'bench', 'results', RESULTS_FILE), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await sender.close();
    await client.close();
    await host.stop();
    await pg.end();
    await emulator.stop();
    await services.stop();
    rmSync(appDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
