/**
 * Helpers for stream scenarios (the stack itself: test/support/stream-stack.ts): a deterministic shuffle, interval
 * overlap, a bounded poll, and a loopback HTTP source API that records every request's interval and can hold a
 * stream's requests until the test lets them go (`startRecordingSource`).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Deterministic shuffle (mulberry32), so a failure reproduces with the same interleaving. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Most intervals open at one instant (an interval ending exactly when another starts does not overlap it). */
export function maxOverlap(intervals: ReadonlyArray<readonly [number, number]>): number {
  const points = intervals.flatMap(([start, end]): Array<[number, number]> => [[start, 1], [end, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, delta] of points) most = Math.max(most, (open += delta));
  return most;
}

/** Polls a condition until it holds; fails at the deadline (a bound, not a sleep used as synchronisation). */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, deadlineInMs: number): Promise<T> {
  const deadline = Date.now() + deadlineInMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${deadlineInMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One record the loopback source serves: it changed at `changedAtMs`. */
export interface SourceRecord {
  changedAtMs: number;
  row: Record<string, unknown>;
}

export interface SourceRequest {
  stream: string;
  since: number | null;
  until: number;
  startMs: number;
  /** Undefined while the request is held or being answered. */
  endMs?: number;
}

export interface RecordingSource {
  /** Base URL of the API (`<url>?stream=..&since=..&until=..&cursor=..`). */
  url: string;
  requests: SourceRequest[];
  /** Holds every request of streams matching `pattern` until `release` or `releaseAll` lets them go. */
  hold(pattern: RegExp): void;
  /** Answers the held requests of `stream` and lets its later ones through. */
  release(stream: string): void;
  /** Drops every hold and answers all held requests. */
  releaseAll(): void;
  /** Requests of streams starting with `prefix` that started and are not answered yet. */
  open(prefix: string): SourceRequest[];
  close(): Promise<void>;
}

export interface RecordingSourceOptions {
  /** The records of a stream. */
  data: (stream: string) => readonly SourceRecord[];
  /** Each answer waits this long, so extracts overlap. */
  holdInMs: number;
  /** Records per page for a stream. */
  pageSize: (stream: string) => number;
}

/**
 * A paginated change API on 127.0.0.1: `since` (exclusive) / `until` (inclusive) in epoch ms, cursor = offset, the
 * next cursor in `next`. Each request's interval is recorded from its arrival to the answer's end.
 */
export async function startRecordingSource(options: RecordingSourceOptions): Promise<RecordingSource> {
  const requests: SourceRequest[] = [];
  const holds: RegExp[] = [];
  const released = new Set<string>();
  const waiting = new Map<string, Array<() => void>>();
  const answer = (res: ServerResponse, request: SourceRequest, cursor: number) => {
    const matching = options.data(request.stream).filter((r) => (request.since === null || r.changedAtMs > request.since) && r.changedAtMs <= request.until);
    const size = options.pageSize(request.stream);
    const page = matching.slice(cursor, cursor + size).map((r) => r.row);
    const next = cursor + size < matching.length ? String(cursor + size) : null;
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: page, next }), () => {
        request.endMs = Date.now();
      });
    }, options.holdInMs);
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const since = url.searchParams.get('since');
    const request: SourceRequest = { stream: url.searchParams.get('stream') ?? '', since: since === null ? null : Number(since),
      until: Number(url.searchParams.get('until')), startMs: Date.now() };
    requests.push(request);
    const go = () => answer(res, request, Number(url.searchParams.get('cursor') ?? 0));
    if (holds.some((p) => p.test(request.stream)) && !released.has(request.stream)) {
      waiting.set(request.stream, [...(waiting.get(request.stream) ?? []), go]);
    } else {
      go();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/changes`,
    requests,
    hold: (pattern) => void holds.push(pattern),
    release: (stream) => {
      released.add(stream);
      for (const go of waiting.get(stream) ?? []) go();
      waiting.delete(stream);
    },
    releaseAll: () => {
      holds.length = 0;
      for (const queued of waiting.values()) for (const go of queued) go();
      waiting.clear();
    },
    open: (prefix) => requests.filter((r) => r.endMs === undefined && r.stream.startsWith(prefix)),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
