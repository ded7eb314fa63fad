/** Delay before retry number `attempt` (1-based) of a failed window step: exponential, capped. */
import { SluiceError } from '../errors';

export interface BackoffPolicy {
  retryDelayInMs: number;
  backoffCoefficient: number;
  maxRetryDelayInMs: number;
}

export function retryDelayInMs(policy: BackoffPolicy, attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new SluiceError('InvalidArgument', `retryDelayInMs: attempt must be an integer >= 1, got ${attempt}. To fix: count retries from 1.`);
  }
  const delay = policy.retryDelayInMs * Math.pow(policy.backoffCoefficient, attempt - 1);
  return Math.min(policy.maxRetryDelayInMs, Math.round(delay));
}
