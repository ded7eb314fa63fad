/** Readiness by probing with a deadline, and free loopback ports. No fixed sleeps: each probe is a real check. */
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export const loopbackHost = '127.0.0.1';

export interface WaitUntilReadyOptions {
  /** What is being waited for, used in the timeout message. */
  what: string;
  timeoutInMs: number;
  /** Pause between failed probes. @default 25 */
  probeIntervalInMs?: number;
  /** Gives up at once when this returns a reason (e.g. the process exited). */
  failFast?: () => string | undefined;
}

/** Calls `probe` until it resolves to a value; rejects at the deadline with the last probe error. */
export async function waitUntilReady<T>(probe: () => Promise<T>, options: WaitUntilReadyOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutInMs;
  let lastError: unknown;
  for (;;) {
    const reason = options.failFast?.();
    if (reason !== undefined) throw new Error(`${options.what} failed: ${reason}`);
    try {
      return await probe();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const last = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`${options.what} was not ready after ${options.timeoutInMs} ms (last probe: ${last}).`);
    }
    await delay(options.probeIntervalInMs ?? 25);
  }
}

/**
 * A port that was free on 127.0.0.1 a moment ago. For servers that cannot listen on port 0 themselves
 * (PostgreSQL); callers retry with another port if the bind then fails.
 */
export async function findFreeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, loopbackHost, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
