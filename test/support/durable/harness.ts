/** Test harness: the Durable host over a store, the test HTTP front, a manual clock, and condition waits. */
import { createDurableHost, MemoryStore, type DurableStore } from '../../../local/host/durable';
import { ManualClock } from '../../../local/host/scheduling-clock';
import type { LocalDurableHost } from '../../../local/host/durable';
import type { TestFunctionsHost } from './functions-core';
import { startHttpFront, type HttpFront } from './http-front';

export interface Harness {
  host: LocalDurableHost;
  store: DurableStore;
  clock: ManualClock;
  front: HttpFront;
  /** Log entries the engine emitted. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  store?: DurableStore;
  hostJson?: unknown;
  maxShortTimerMs?: number;
  longTimerIntervalMs?: number;
}

export async function startHarness(functions: TestFunctionsHost, options: HarnessOptions = {}): Promise<Harness> {
  const store = options.store ?? new MemoryStore();
  const clock = new ManualClock(Date.parse('2026-11-23T10:00:00.000Z'));
  const front = await startHttpFront(functions.invoker);
  // DurableClient rewrites management URLs to localhost:7071 unless WEBSITE_HOSTNAME names the real origin.
  process.env['WEBSITE_HOSTNAME'] = new URL(front.baseUrl).host;
  const logs: Array<Record<string, unknown>> = [];
  const host = createDurableHost({
    invoker: functions.invoker,
    store,
    clock,
    baseUrl: front.baseUrl,
    hostJson: options.hostJson ?? { extensions: { durableTask: { hubName: 'SamplesHub' } } },
    log: (entry) => logs.push(entry),
    ...(options.maxShortTimerMs !== undefined ? { maxShortTimerMs: options.maxShortTimerMs } : {}),
    ...(options.longTimerIntervalMs !== undefined ? { longTimerIntervalMs: options.longTimerIntervalMs } : {}),
  });
  front.setDurableHost(host);
  await host.start();
  return {
    host,
    store,
    clock,
    front,
    logs,
    async close() {
      await host.stop();
      await front.close();
      store.close();
    },
  };
}

/**
 * Waits until `probe` returns a value, letting the engine run; with `skipTime`, when the engine is idle
 * the manual clock jumps to the next due timer (time skipping, no real waiting). Bounded by `timeoutMs`.
 */
export async function waitFor<T>(h: Harness, probe: () => T | undefined | false, options: { skipTime?: boolean; timeoutMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Condition not reached within ${options.timeoutMs ?? 10_000} ms.`);
    await h.host.whenIdle();
    await new Promise((resolve) => setImmediate(resolve));
    if (options.skipTime === true && probe() === undefined) {
      const next = h.store.nextVisibleAfter(h.clock.nowMs());
      if (next !== undefined) h.clock.advanceTo(next);
    }
  }
}

/** Waits for an instance to reach one of `statuses`. */
export function waitForStatus(h: Harness, instanceId: string, statuses: string[], options: { skipTime?: boolean; timeoutMs?: number } = {}): Promise<NonNullable<ReturnType<DurableStore['getInstance']>>> {
  return waitFor(h, () => {
    const record = h.store.getInstance(instanceId);
    return record !== undefined && statuses.includes(record.status) ? record : undefined;
  }, options);
}
