/**
 * Time for the engine. Lock expiry, TTL, scheduled enqueue and session long-polls all read `nowMs()` and
 * arm timers here, so tests can inject a manual clock and step time instead of sleeping.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  nowMs(): number;
  /** Runs `fn` once when the clock reaches `nowMs() + delayInMs`. */
  setTimer(delayInMs: number, fn: () => void): TimerHandle;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimer(delayInMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayInMs));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that only moves when told to; `advanceBy` fires due timers in time order. */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  constructor(private now: number) {}

  nowMs(): number {
    return this.now;
  }

  setTimer(delayInMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ at: this.now + Math.max(0, delayInMs), fn, id });
    return { cancel: () => { this.timers = this.timers.filter((t) => t.id !== id); } };
  }

  advanceBy(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      this.now = Math.max(this.now, due.at);
      due.fn();
    }
    this.now = target;
  }
}
