import type { InvocationCompleted } from '../../../../local/host/worker/invoker';

/** Collects finished invocations and lets a test wait for one with a bounded deadline (no sleeps). */
export class InvocationRecorder {
  readonly events: InvocationCompleted[] = [];
  #waiters: Array<{ predicate: (event: InvocationCompleted) => boolean; resolve: (event: InvocationCompleted) => void }> = [];

  readonly listener = (event: InvocationCompleted): void => {
    this.events.push(event);
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(event)) {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        waiter.resolve(event);
      }
    }
  };

  /** Resolves with the first matching event at index >= `fromIndex` (already recorded or future). */
  waitFor(predicate: (event: InvocationCompleted) => boolean, timeoutInMs = 10_000, fromIndex = 0): Promise<InvocationCompleted> {
    const existing = this.events.slice(fromIndex).find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`No matching invocation within ${timeoutInMs} ms; seen: ${this.events.map((e) => e.functionName).join(', ')}`));
      }, timeoutInMs);
      const done = (event: InvocationCompleted) => {
        clearTimeout(timer);
        resolve(event);
      };
      this.#waiters.push({ predicate, resolve: done });
    });
  }
}

export function returnJson(event: InvocationCompleted): unknown {
  const value = event.output?.returnValue;
  if (value?.json !== undefined && value.json !== null) return JSON.parse(value.json);
  return value?.string ?? value?.int ?? value?.double;
}
