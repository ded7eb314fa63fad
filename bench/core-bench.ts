/**
 * Benchmarks of core/ pure functions, each next to a baseline measured in the same run:
 * - CSV boundary scan (quote-aware, jumps with indexOf) vs two baselines: the same state machine visiting every
 *   byte (the straightforward implementation), and Buffer.indexOf over LF (the floor: newlines, no quote state);
 * - semaphore acquire+release with a queue of waiters vs a JSON round trip of the same state (what a Durable
 *   entity pays per operation anyway).
 * Usage: npm run bench:core [-- <csvMiB> <waiters>]; writes bench/results/core-bench.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanCsvChunks } from '../core/chunk-plan';
import { acquire, createSemaphoreState, release, type SemaphoreState } from '../core/semaphore';

function generateCsv(targetBytes: number): Buffer {
  const rows: string[] = ['id,name,note,amount'];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    // Every fifth row has a quoted field with a comma, an escaped quote and a newline.
    const note = i % 5 === 0 ? `"said ""hi"", then\nleft"` : `plain note ${i}`;
    const row = `${i},name-${i % 997},${note},${(i * 7) % 10_000}.25`;
    rows.push(row);
    size += row.length + 1;
  }
  return Buffer.from(rows.join('\n') + '\n');
}

/** Baseline: the RFC 4180 quote state machine visiting every byte; counts records. */
function naiveRecordCount(bytes: Uint8Array): number {
  let state = 0; // 0 field start, 1 unquoted, 2 quoted, 3 quote inside quoted
  let records = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (state === 2) {
      if (b === 0x22) state = 3;
    } else if ((state === 0 || state === 3) && b === 0x22) state = 2;
    else if (b === 0x2c) state = 0;
    else if (b === 0x0a) {
      state = 0;
      records++;
    } else state = 1;
  }
  return records;
}

function time(fn: () => void, repeat: number): number {
  fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / repeat;
}

function benchScan(mib: number): Record<string, number> {
  const bytes = generateCsv(mib * 1024 * 1024);
  let chunks = 0;
  const scanMs = time(() => {
    chunks = scanCsvChunks(bytes, { targetChunkBytes: 8 * 1024 * 1024, header: true }).chunks.length;
  }, 3);
  let naiveRecords = 0;
  const naiveMs = time(() => {
    naiveRecords = naiveRecordCount(bytes);
  }, 3);
  let lines = 0;
  const indexOfMs = time(() => {
    lines = 0;
    for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) lines++;
  }, 3);
  const mb = bytes.length / 1e6;
  return {
    bytes: bytes.length,
    chunks,
    records: naiveRecords,
    lines,
    scanMs,
    scanMBps: mb / (scanMs / 1e3),
    naiveMs,
    naiveMBps: mb / (naiveMs / 1e3),
    indexOfMs,
    indexOfMBps: mb / (indexOfMs / 1e3),
  };
}

function benchSemaphore(waiters: number): Record<string, number> {
  let state: SemaphoreState = createSemaphoreState(4);
  for (let i = 0; i < 4 + waiters; i++) state = acquire(state, { owner: `o${i}`, want: 1, leaseInMs: 60_000 }, 0).state;
  const ops = 2_000;
  let next = 4 + waiters;
  let head = 0;
  const opMs = time(() => {
    for (let i = 0; i < ops; i++) {
      // One release (grants the head waiter) and one new acquire (queues at the tail): a steady state.
      state = release(state, `o${head++}`, i).state;
      state = acquire(state, { owner: `o${next++}`, want: 1, leaseInMs: 60_000 }, i).state;
    }
  }, 1) / (2 * ops);
  const jsonMs = time(() => {
    state = JSON.parse(JSON.stringify(state)) as SemaphoreState;
  }, 200);
  return { waiters, opUs: opMs * 1e3, opsPerSecond: 1e3 / opMs, jsonRoundTripUs: jsonMs * 1e3 };
}

const mib = Number(process.argv[2] ?? 64);
const waiters = Number(process.argv[3] ?? 1_000);
const result = {
  node: process.version,
  at: new Date().toISOString(),
  csvScan: benchScan(mib),
  semaphore: [benchSemaphore(10), benchSemaphore(waiters)],
};
mkdirSync(join(__dirname, '..', '..', 'bench', 'results'), { recursive: true });
writeFileSync(join(__dirname, '..', '..', 'bench', 'results', 'core-bench.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
