/**
 * Time for the host's triggers: `nowMs` plus one-shot timers, so tests drive timer triggers with a manual clock
 * instead of waiting. `systemClock` is wall time; `ManualClock` fires due timers only when advanced.
 */
import type { HostClock } from './contracts';

export interface ClockTimer {
  cancel(): void;
}

export interface SchedulingClock extends HostClock {
  /** Calls `callback` once when `nowMs() >= atMs`. */
  setTimer(atMs: number, callback: () => void): ClockTimer;
}

/** Node caps setTimeout at 2^31-1 ms; longer waits re-arm. */
const maxTimeoutMs = 2_147_483_647;

export const systemClock: SchedulingClock = {
  nowMs: () => Date.now(),
  setTimer(atMs, callback) {
    let handle: NodeJS.Timeout | undefined;
    const arm = () => {
      const delay = atMs - Date.now();
      if (delay <= 0) {
        handle = undefined;
        callback();
        return;
      }
      handle = setTimeout(arm, Math.min(delay, maxTimeoutMs));
      handle.unref();
    };
    handle = setTimeout(arm, Math.max(0, Math.min(atMs - Date.now(), maxTimeoutMs)));
    handle.unref();
    return { cancel: () => handle !== undefined && clearTimeout(handle) };
  },
};

export class ManualClock implements SchedulingClock {
  #now: number;
  #timers: Array<{ atMs: number; seq: number; callback: () => void }> = [];
  #seq = 0;

  constructor(startMs: number) {
    this.#now = startMs;
  }

  nowMs(): number {
    return this.#now;
  }

  /** A timer already due fires on the next turn, as a real timer set in the past would. */
  setTimer(atMs: number, callback: () => void): ClockTimer {
    const timer = { atMs, seq: this.#seq++, callback };
    this.#timers.push(timer);
    if (atMs <= this.#now) {
      setImmediate(() => {
        if (!this.#timers.includes(timer)) return;
        this.#timers = this.#timers.filter((t) => t !== timer);
        callback();
      });
    }
    return {
      cancel: () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
      },
    };
  }

  /** Moves time forward to `toMs`, firing every timer due on the way in time order. */
  advanceTo(toMs: number): void {
    for (;;) {
      const due = this.#timers
        .filter((t) => t.atMs <= toMs)
        .sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = Math.max(this.#now, due.atMs);
      due.callback();
    }
    this.#now = Math.max(this.#now, toMs);
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  /** Due times of the armed timers, for assertions. */
  pendingTimers(): number[] {
    return this.#timers.map((t) => t.atMs).sort((a, b) => a - b);
  }
}
