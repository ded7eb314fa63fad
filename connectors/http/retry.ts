/**
 * Retry policy for HTTP sources: exponential backoff with full jitter, capped, and the server's Retry-After
 * (seconds or an HTTP date) honoured when it asks for longer. Clock, randomness and sleep are injectable so
 * tests never wait.
 */

export interface RetryOptions {
  /** Retries after the first attempt. @default 5 */
  maxRetries?: number;
  /** Base delay; attempt n waits up to retryDelayInMs * 2^n. @default 500 */
  retryDelayInMs?: number;
  /** Cap for one wait, also for Retry-After. @default 30000 */
  maxRetryDelayInMs?: number;
  /** @default a timer that rejects when the signal aborts */
  sleep?: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
  /** @default Math.random */
  random?: () => number;
  /** @default Date.now */
  nowMs?: () => number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export function abortableSleep(ms: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) return reject(abortSignal.reason);
    const timer = setTimeout(() => {
      abortSignal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortSignal?.reason);
    };
    abortSignal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  return {
    maxRetries: options.maxRetries ?? 5,
    retryDelayInMs: options.retryDelayInMs ?? 500,
    maxRetryDelayInMs: options.maxRetryDelayInMs ?? 30000,
    sleep: options.sleep ?? abortableSleep,
    random: options.random ?? Math.random,
    nowMs: options.nowMs ?? Date.now,
  };
}

/** Milliseconds a Retry-After header asks for; undefined when absent or unreadable. */
export function retryAfterInMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Wait before retry number `retry` (0-based): full jitter, at least what Retry-After asks, both capped. */
export function retryDelayInMs(retry: number, options: ResolvedRetryOptions, retryAfter?: number): number {
  const ceiling = Math.min(options.maxRetryDelayInMs, options.retryDelayInMs * 2 ** retry);
  const jittered = Math.floor(options.random() * ceiling);
  return Math.min(options.maxRetryDelayInMs, Math.max(jittered, retryAfter ?? 0));
}
