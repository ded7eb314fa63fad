/**
 * Micro-bench of one dispatcher pump against the durable stores with many not-yet-visible messages (the 10,000
 * waiting stream workers of the stream-sync bench each hold a future timer in the orchestration queue), plus a
 * few visible orchestration and entity messages and as many visible activities (the queued worker starts).
 * Baseline in the same run: the same calls with no delayed messages (and 16 activities).
 * Run: `node test/support/durable/child-entry.js bench/store-dispatch.ts` (BENCH_DELAYED, default 10000;
 * BENCH_OUT=path writes the raw JSON).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { MemoryStore } from '../local/host/durable/store/memory-store';
import { SqliteStore } from '../local/host/durable/store/sqlite-store';
import type { DurableStore } from '../local/host/durable/store/durable-store';
import type { NewMessage } from '../local/host/durable/types';

const DELAYED = Number(process.env.BENCH_DELAYED ?? 10_000);
const CALLS = 1_000;
const ROUNDS = 7;
const NOW = 1_000;

function timer(i: number): NewMessage {
  return { queue: 'orchestration', target: `w-${i}`, visibleAtMs: NOW + 30_000 + i, body: { type: 'EventRaised', name: 't', input: null } };
}

function visible(queue: 'orchestration' | 'activity' | 'entity', i: number): NewMessage {
  return { queue, target: `${queue}-${i}`, visibleAtMs: NOW - 1, body: { type: 'EventRaised', name: 'v', input: null } };
}

type Row = { store: string; delayed: number; readyActivitiesUs: number; readyOrchestrationsUs: number; readyEntitiesUs: number; nextVisibleUs: number };

/** Best of ROUNDS rounds of CALLS calls: the machine is shared, the minimum is the least disturbed round. */
function timeUs(call: () => unknown): number {
  call();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) call();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / CALLS);
  }
  return Math.round(best / 100) / 10;
}

/** The four store calls of one dispatcher pump, timed apart (microseconds per call). */
function measure(name: string, store: DurableStore, delayed: number): Row {
  store.commit({ addMessages: Array.from({ length: delayed }, (_, i) => timer(i)) });
  // Visible work arrives after the timers, as in the bench (workers wait, then events come in).
  store.commit({ addMessages: [0, 1, 2, 3].flatMap((i) => [visible('orchestration', i), visible('entity', i)]) });
  // The queued startStreamWorker activities: visible, so a scan can stop after `limit` of them.
  store.commit({ addMessages: Array.from({ length: Math.max(delayed, 16) }, (_, i) => visible('activity', i)) });
  const row = {
    store: name,
    delayed,
    readyActivitiesUs: timeUs(() => store.readyMessages('activity', NOW, new Set(), 16)),
    readyOrchestrationsUs: timeUs(() => store.readyTargets('orchestration', NOW, new Set(), 16)),
    readyEntitiesUs: timeUs(() => store.readyTargets('entity', NOW, new Set(), 16)),
    nextVisibleUs: timeUs(() => store.nextVisibleAfter(NOW)),
  };
  store.close();
  return row;
}

const rows = [
  measure('memory', new MemoryStore(), 0),
  measure('memory', new MemoryStore(), DELAYED),
  measure('sqlite', new SqliteStore(':memory:'), 0),
  measure('sqlite', new SqliteStore(':memory:'), DELAYED),
];
console.table(rows);
if (process.env.BENCH_OUT !== undefined) writeFileSync(process.env.BENCH_OUT, `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, loadAverage1m: loadavg()[0], callsPerRound: CALLS, rounds: ROUNDS, statistic: 'best round, microseconds per call', rows }, null, 2)}\n`);
