/**
 * Webhook delivery: one JSON POST, retried with exponential backoff and full jitter (the `exponential-backoff`
 * library) on network errors, timeouts, 408, 429 and 5xx; other statuses fail at once. Bounded: at most
 * `maxRetries` retries, each call cut at `timeoutInMs`, each wait capped at `maxRetryDelayInMs`.
 */
import { createHmac } from 'node:crypto';
import { backOff } from 'exponential-backoff';
import { SluiceError } from '../../core/errors';

export interface PostWebhookOptions {
  url: string;
  body: unknown;
  /** Extra headers (e.g. the event type and delivery id). */
  headers?: Record<string, string>;
  /** When set, `x-sluice-signature: sha256=<hex HMAC of the body>`. */
  secret?: string;
  /** @default 5 */
  maxRetries?: number;
  /** @default 10000 */
  timeoutInMs?: number;
  /** First wait; doubles per retry. @default 500 */
  retryDelayInMs?: number;
  /** @default 10000 */
  maxRetryDelayInMs?: number;
}

export interface PostWebhookResult {
  status: number;
  attempts: number;
}

class DeliveryError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

export async function postWebhook(options: PostWebhookOptions): Promise<PostWebhookResult> {
  const body = JSON.stringify(options.body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.secret !== undefined) headers['x-sluice-signature'] = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
  const timeoutInMs = options.timeoutInMs ?? 10_000;
  let attempts = 0;
  try {
    const status = await backOff(async () => {
      attempts++;
      let response: Response;
      try {
        response = await fetch(options.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutInMs) });
      } catch (error) {
        const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutInMs} ms` : String((error as Error).cause ?? error);
        throw new DeliveryError(reason, true);
      }
      await response.body?.cancel();
      if (response.ok) return response.status;
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
      throw new DeliveryError(`HTTP ${response.status}`, retryable);
    }, {
      numOfAttempts: (options.maxRetries ?? 5) + 1,
      startingDelay: options.retryDelayInMs ?? 500,
      maxDelay: options.maxRetryDelayInMs ?? 10_000,
      jitter: 'full',
      retry: (error: unknown) => error instanceof DeliveryError && error.retryable,
    });
    return { status, attempts };
  } catch (error) {
    const last = error instanceof Error ? error.message : String(error);
    const retryable = error instanceof DeliveryError && error.retryable;
    throw new SluiceError('SinkFailed', `Webhook ${new URL(options.url).origin} did not accept the POST after ${attempts} attempt(s): ${last}. ` +
      `To fix: ${retryable ? 'check that the endpoint is up; raise maxRetries or timeoutInMs if it is slow' : 'check the URL, its authentication and that it accepts JSON POSTs'}.`,
    { retryable, cause: error });
  }
}
