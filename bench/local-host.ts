/**
 * Local Durable host benchmark (issue 3): orchestrations/s for a 3-activity chain, wall time of a 1,000-activity
 * fan-out, entity operations/s on one entity and across 1,000 entities, memory with 10,000 idle orchestrations.
 * Each figure comes with a baseline measured in the same run: the same functions invoked directly through the
 * invoker (no engine, no store), or the process memory before the instances exist.
 *
 * Run: npm run bench:local-host   (sizes: BENCH_SCALE=0.1 for a quick run). Writes bench/results/local-host.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDurableHost, MemoryStore, SqliteStore, type DurableStore } from '../local/host/durable';
import type { LocalDurableHost } from '../local/host/durable';
import { withCoreModule } from '../local/host/worker/core-module';
import { createTestFunctionsHost } from '../test/support/durable/functions-core';

const scale = Number(process.env['BENCH_SCALE'] ?? '1');
const sizes = {
  chains: Math.max(10, Math.round(200 * scale)),
  fanOut: Math.max(10, Math.round(1000 * scale)),
  entityOps: Math.max(10, Math.round(2000 * scale)),
  entities: Math.max(10, Math.round(1000 * scale)),
  idle: Math.max(10, Math.round(10_000 * scale)),
};

const functions = createTestFunctionsHost({ keepLogs: false });
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the app entry is loaded by path, like the worker does
withCoreModule(functions.core as object, () => require('../test/apps/durable-samples/index'));
const invoker = functions.invoker;

interface Engine {
  host: LocalDurableHost;
  store: DurableStore;
  completed: Set<string>;
  entityOps: { count: number };
}

function createEngine(store: DurableStore): Engine {
  const completed = new Set<string>();
  const entityOps = { count: 0 };
  const host = createDurableHost({
    invoker,
    store,
    baseUrl: 'http://127.0.0.1:1',
    hostJson: {},
    log: (entry) => {
      if (entry.event === 'Sluice.Orchestration.Completed') completed.add(entry['instanceId'] as string);
      if (entry['entityId'] !== undefined && typeof entry['operations'] === 'number') entityOps.count += entry['operations'];
    },
  });
  return { host, store, completed, entityOps };
}

/** Resolves once `done()` holds, checking after each engine idle point; bounded by `timeoutMs`. */
async function until(engine: Engine, done: () => boolean, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('benchmark step did not finish in time');
    await engine.host.whenIdle();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Nothing ready to run and nothing running: every orchestration is waiting on an event or a timer. */
function quiescent(engine: Engine): boolean {
  const now = Date.now();
  return engine.store.readyMessages('activity', now, new Set(), 1).length === 0 && engine.store.readyTargets('orchestration', now, new Set(), 1).length === 0;
}

const time = async (run: () => Promise<void>): Promise<number> => {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
};

async function direct(name: string, inputs: unknown[], parallel: boolean): Promise<number> {
  const fn = invoker.listFunctions().find((f) => f.name === name)!;
  const call = (input: unknown) => invoker.invoke(name, { inputData: [{ name: fn.triggerBindingName, data: { json: JSON.stringify(input) } }] });
  return time(async () => {
    if (parallel) await Promise.all(inputs.map(call));
    else for (const input of inputs) await call(input);
  });
}

async function directEntity(keys: string[]): Promise<number> {
  const fn = invoker.listFunctions().find((f) => f.name === 'Counter')!;
  const state = new Map<string, string | null>();
  return time(async () => {
    for (const key of keys) {
      const request = { self: { name: 'counter', key }, exists: state.has(key), state: state.get(key) ?? null, batch: [{ name: 'add', input: '1', isSignal: true }] };
      const out = await invoker.invoke('Counter', { inputData: [{ name: fn.triggerBindingName, data: { string: JSON.stringify(request) } }] });
      state.set(key, (JSON.parse(out.returnValue?.json ?? '{}') as { entityState?: string }).entityState ?? null);
    }
  });
}

function memoryMb(): { heapUsedMb: number; rssMb: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heapUsedMb: Math.round(m.heapUsed / 1e5) / 10, rssMb: Math.round(m.rss / 1e5) / 10 };
}

async function runSuite(storeName: 'memory' | 'sqlite', dir: string): Promise<Record<string, unknown>> {
  const newStore = (label: string): DurableStore => (storeName === 'memory' ? new MemoryStore() : new SqliteStore(path.join(dir, `${label}.sqlite`)));
  const results: Record<string, unknown> = {};
  const withEngine = async (label: string, body: (e: Engine) => Promise<void>): Promise<void> => {
    const engine = createEngine(newStore(label));
    await engine.host.start();
    try {
      await body(engine);
    } finally {
      await engine.host.stop();
      engine.store.close();
    }
  };

  await withEngine('chain', async (e) => {
    const ms = await time(async () => {
      const ids = Array.from({ length: sizes.chains }, () => e.host.client.startNew('helloSequence', { overridable: 'NonRunningStates' }).instanceId);
      await until(e, () => ids.every((id) => e.completed.has(id)));
    });
    results['chain3'] = { orchestrations: sizes.chains, wallMs: Math.round(ms), orchestrationsPerSecond: Math.round((sizes.chains / ms) * 1000) };
  });
  await withEngine('fanout', async (e) => {
    const ms = await time(async () => {
      const id = e.host.client.startNew('fanOutFanIn', { input: JSON.stringify({ count: sizes.fanOut }), overridable: 'NonRunningStates' }).instanceId;
      await until(e, () => e.completed.has(id));
    });
    results['fanOut'] = { activities: sizes.fanOut, wallMs: Math.round(ms) };
  });
  await withEngine('entity-one', async (e) => {
    const ms = await time(async () => {
      for (let i = 0; i < sizes.entityOps; i++) e.host.client.signalEntity('Counter', 'hot', 'add', '1');
      await until(e, () => e.entityOps.count >= sizes.entityOps);
    });
    results['entityOneKey'] = { operations: sizes.entityOps, wallMs: Math.round(ms), operationsPerSecond: Math.round((sizes.entityOps / ms) * 1000) };
  });
  await withEngine('entity-many', async (e) => {
    const total = sizes.entities * 2;
    const ms = await time(async () => {
      for (let round = 0; round < 2; round++) for (let i = 0; i < sizes.entities; i++) e.host.client.signalEntity('Counter', `k${i}`, 'add', '1');
      await until(e, () => e.entityOps.count >= total);
    });
    results['entityManyKeys'] = { entities: sizes.entities, operations: total, wallMs: Math.round(ms), operationsPerSecond: Math.round((total / ms) * 1000) };
  });
  await withEngine('idle', async (e) => {
    const before = memoryMb();
    for (let i = 0; i < sizes.idle; i++) e.host.client.startNew('approvalWorkflow', { overridable: 'NonRunningStates' });
    const ms = await time(() => until(e, () => quiescent(e)));
    const after = memoryMb();
    results['idleOrchestrations'] = { instances: sizes.idle, settleMs: Math.round(ms), before, after, heapDeltaMb: Math.round((after.heapUsedMb - before.heapUsedMb) * 10) / 10 };
  });
  return results;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-bench-'));
  try {
    const baseline = {
      chain3DirectMs: Math.round(await direct('sayHello', Array.from({ length: sizes.chains * 3 }, (_, i) => `c${i}`), false)),
      fanOutDirectMs: Math.round(await direct('processItem', Array.from({ length: sizes.fanOut }, (_, i) => i), true)),
      entityDirectMs: Math.round(await directEntity(Array.from({ length: sizes.entityOps }, () => 'hot'))),
    };
    const report = {
      node: process.version,
      cpus: (await import('node:os')).availableParallelism(),
      scale,
      sizes,
      baseline,
      memory: await runSuite('memory', dir),
      sqlite: await runSuite('sqlite', dir),
    };
    writeFileSync(path.join(__dirname, 'results', 'local-host.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
