/**
 * Generic paginated HTTP source: GET `url` with since/until and the paging parameters, records taken from the JSON
 * body at a configured path. Paging: none (one request), cursor (the next cursor from the body; absent, null or
 * empty ends it) or numbered pages (a short or empty page ends it). Transient failures (network, 408, 429, 5xx)
 * are retried with backoff honouring Retry-After.
 */
import { z } from 'zod';
import { SluiceError } from '../../core/errors';
import { resolveRetryOptions, retryAfterInMs, retryDelayInMs, type RetryOptions } from './retry';

const dottedPath = z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, 'a dotted path such as data.items');

const pagingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({
    kind: z.literal('cursor'),
    /** Path of the next cursor in the body. */
    nextCursorPath: dottedPath,
    cursorParam: z.string().min(1).default('cursor'),
  }),
  z.object({
    kind: z.literal('page'),
    /** 1-based page number parameter. */
    pageParam: z.string().min(1).default('page'),
    sizeParam: z.string().min(1).default('pageSize'),
    pageSize: z.number().int().min(1).default(100),
  }),
]);

export const httpSourceConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** Path of the records array in the body. */
  recordsPath: dottedPath,
  paging: pagingSchema,
  sinceParam: z.string().min(1).default('since'),
  untilParam: z.string().min(1).default('until'),
  /** Extra fixed query parameters (e.g. page size). */
  query: z.record(z.string(), z.string()).default({}),
  headers: z.record(z.string(), z.string()).default({}),
  /** Safety stop against a server that never ends the cursor chain. @default 10000 */
  maxPages: z.number().int().min(1).default(10000),
  /** Per-request timeout. @default 30000 */
  timeoutInMs: z.number().int().min(1).default(30000),
});

export type HttpSourceConfig = z.input<typeof httpSourceConfigSchema>;

export interface ReadHttpPagesOptions {
  /** Window bounds sent as query parameters, already formatted (ISO-8601 or epoch ms, as the API expects). */
  since?: string;
  until?: string;
  /** Cursor paging: resume from this cursor (e.g. the last one committed). */
  cursor?: string;
  retry?: RetryOptions;
  abortSignal?: AbortSignal;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

export interface HttpPage {
  /** 1-based page number within this read. */
  page: number;
  records: unknown[];
  /** Cursor paging: the cursor that fetches the page after this one; undefined on the last page. */
  nextCursor?: string;
}

function at(body: unknown, path: string): unknown {
  let value = body;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

class TransientHttpError extends Error {
  constructor(message: string, readonly retryAfterInMs?: number) {
    super(message);
  }
}

async function fetchPage(url: URL, config: z.output<typeof httpSourceConfigSchema>, options: ReadHttpPagesOptions, nowMs: number): Promise<unknown> {
  const signals = [AbortSignal.timeout(config.timeoutInMs), ...(options.abortSignal ? [options.abortSignal] : [])];
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { headers: { accept: 'application/json', ...config.headers }, signal: AbortSignal.any(signals) });
  } catch (error) {
    if (options.abortSignal?.aborted) throw error;
    throw new TransientHttpError(`request failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    throw new TransientHttpError(`HTTP ${response.status}`, retryAfterInMs(response.headers.get('retry-after'), nowMs));
  }
  if (!response.ok) {
    throw new SluiceError('SourceFailed', `HTTP source ${url.origin}${url.pathname} answered ${response.status}: ${text.slice(0, 200)}. ` +
      'To fix: check the URL, the credentials in the headers and the query parameters.', { ids: { url: url.origin + url.pathname } });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new SluiceError('SourceFailed', `HTTP source ${url.origin}${url.pathname} returned a body that is not JSON: ` +
      `${JSON.stringify(text.slice(0, 100))}. To fix: point the source at a JSON API.`, { ids: { url: url.origin + url.pathname } });
  }
}

export async function* readHttpPages(configInput: HttpSourceConfig, options: ReadHttpPagesOptions = {}): AsyncGenerator<HttpPage> {
  const parsed = httpSourceConfigSchema.safeParse(configInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SluiceError('ConfigInvalid', `HTTP source config invalid at "${issue.path.join('.')}": ${issue.message}. ` +
      'To fix: correct the pipeline\'s source settings.');
  }
  const config = parsed.data;
  const { paging } = config;
  const retry = resolveRetryOptions(options.retry);
  let cursor = options.cursor;
  for (let page = 1; ; page++) {
    if (page > config.maxPages) {
      throw new SluiceError('SourceFailed', `HTTP source ${config.url} still had more pages after ${config.maxPages} pages. ` +
        'To fix: raise maxPages or check that the API ends its paging.');
    }
    const url = new URL(config.url);
    for (const [name, value] of Object.entries(config.query)) url.searchParams.set(name, value);
    if (options.since !== undefined) url.searchParams.set(config.sinceParam, options.since);
    if (options.until !== undefined) url.searchParams.set(config.untilParam, options.until);
    if (paging.kind === 'cursor' && cursor !== undefined) url.searchParams.set(paging.cursorParam, cursor);
    if (paging.kind === 'page') {
      url.searchParams.set(paging.pageParam, String(page));
      url.searchParams.set(paging.sizeParam, String(paging.pageSize));
    }
    const body = await fetchWithRetries(url, config, options, retry);
    const records = at(body, config.recordsPath);
    if (!Array.isArray(records)) {
      throw new SluiceError('SourceFailed', `HTTP source ${config.url} page ${page} has no array at "${config.recordsPath}". ` +
        'To fix: set recordsPath to where the API puts its records.');
    }
    if (paging.kind === 'none') {
      yield { page, records };
      return;
    }
    if (paging.kind === 'page') {
      yield { page, records };
      if (records.length < paging.pageSize) return;
      continue;
    }
    const next = at(body, paging.nextCursorPath);
    if (next !== undefined && next !== null && typeof next !== 'string' && typeof next !== 'number') {
      throw new SluiceError('SourceFailed', `HTTP source ${config.url} page ${page}: "${paging.nextCursorPath}" is not a string or number. ` +
        'To fix: set nextCursorPath to the API\'s cursor field.');
    }
    cursor = next === undefined || next === null || next === '' ? undefined : String(next);
    yield cursor === undefined ? { page, records } : { page, records, nextCursor: cursor };
    if (cursor === undefined) return;
  }
}

async function fetchWithRetries(url: URL, config: z.output<typeof httpSourceConfigSchema>, options: ReadHttpPagesOptions,
  retry: ReturnType<typeof resolveRetryOptions>): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchPage(url, config, options, retry.nowMs());
    } catch (error) {
      if (!(error instanceof TransientHttpError)) throw error;
      if (attempt >= retry.maxRetries) {
        throw new SluiceError('SourceFailed', `HTTP source ${url.origin}${url.pathname} failed ${attempt + 1} times, last: ` +
          `${error.message}. To fix: retry later; the source is unavailable or throttling.`, { retryable: true, cause: error });
      }
      await retry.sleep(retryDelayInMs(attempt, retry, error.retryAfterInMs), options.abortSignal);
    }
  }
}
