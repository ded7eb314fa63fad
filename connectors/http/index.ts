/** HTTP source: paginated reader with since/until/cursor and retries honouring Retry-After. */
export { readHttpPages, httpSourceConfigSchema, type HttpSourceConfig, type HttpPage, type ReadHttpPagesOptions } from './paginated-source';
export { retryAfterInMs, retryDelayInMs, resolveRetryOptions, abortableSleep, type RetryOptions } from './retry';
