import type { HostClock } from '../contracts';

/**
 * Time for the durable engine. `wakeAt` asks to be called back once time reaches `atMs`; the engine uses it
 * for timers and delayed messages, so a test clock can fire 72 h timers without waiting.
 */
export interface DurableClock extends HostClock {
  wakeAt?(atMs: number, callback: () => void): () => void;
}

export const systemClock: DurableClock = {
  nowMs: () => Date.now(),
};

/** Schedules `callback` at `atMs` on `clock`: through its own `wakeAt` when it has one, else a real timer. */
export function wakeAt(clock: DurableClock, atMs: number, callback: () => void): () => void {
  if (clock.wakeAt !== undefined) return clock.wakeAt(atMs, callback);
  // setTimeout overflows past 2^31-1 ms; waking early is harmless because the caller re-checks due times.
  const delay = Math.min(Math.max(0, atMs - clock.nowMs()), 2_147_483_647);
  const handle = setTimeout(callback, delay);
  return () => clearTimeout(handle);
}

/** A clock that only moves when told to, firing due wake-ups in time order. For tests and benches. */
export class ManualClock implements DurableClock {
  private now: number;
  private readonly waiters = new Set<{ atMs: number; callback: () => void }>();

  constructor(startMs: number) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  wakeAt(atMs: number, callback: () => void): () => void {
    const waiter = { atMs, callback };
    if (atMs <= this.now) {
      queueMicrotask(callback);
      return () => undefined;
    }
    this.waiters.add(waiter);
    return () => this.waiters.delete(waiter);
  }

  advance(ms: number): void {
    this.now += ms;
    const due = [...this.waiters].filter((w) => w.atMs <= this.now).sort((a, b) => a.atMs - b.atMs);
    for (const w of due) {
      this.waiters.delete(w);
      w.callback();
    }
  }
}
