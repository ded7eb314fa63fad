/**
 * Extract for pipelines with an `http` source: reads the window's range (sinceMs, untilMs] from the paginated
 * HTTP API (connectors/http: paging, retries with backoff for 408/429/5xx honouring Retry-After) and lands each
 * non-empty page as `landing/<stream>/w<seq>/part-NNNNN.ndjson`. Part numbers follow the page numbers, so a retry
 * of the window overwrites the same blobs.
 */
import type { ContainerClient } from '@azure/storage-blob';
import type { SourceConfig } from '../core/config';
import { SluiceError } from '../core/errors';
import type { StreamWindow } from '../core/stream';
import { writeLanding } from '../connectors/blob';
import { readHttpPages, type HttpSourceConfig } from '../connectors/http';
import type { LandedBlob } from './activities/extract-window';
import { safeSegment } from './pipeline-target';

export type HttpSource = Extract<SourceConfig, { kind: 'http' }>;

export interface LandHttpWindowOptions {
  container: ContainerClient;
  /** App settings, for `headerSettings`. */
  env: Readonly<Record<string, string | undefined>>;
  abortSignal?: AbortSignal;
}

/** The connector's configuration for one stream: headers resolved from app settings, the stream as a parameter. */
export function httpReaderConfig(pipeline: string, streamId: string, source: HttpSource, env: LandHttpWindowOptions['env']): HttpSourceConfig {
  const headers: Record<string, string> = {};
  for (const [header, settingName] of Object.entries(source.headerSettings)) {
    const value = env[settingName];
    if (value === undefined || value === '') {
      throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline}": the HTTP source header "${header}" reads app setting ${settingName}, which is not set. ` +
        `To fix: set ${settingName} (e.g. a Key Vault reference) or remove the header from "source.headerSettings".`, { ids: { pipeline, streamId } });
    }
    headers[header] = value;
  }
  const paging: HttpSourceConfig['paging'] = source.paging.kind === 'cursor'
    ? { kind: 'cursor', cursorParam: source.paging.cursorParam, nextCursorPath: source.paging.nextCursorPath }
    : source.paging;
  return {
    url: source.url,
    recordsPath: source.itemsPath,
    paging,
    sinceParam: source.sinceParam,
    untilParam: source.untilParam,
    query: source.streamParam === undefined ? {} : { [source.streamParam]: streamId },
    headers,
    timeoutInMs: source.timeoutInMs,
  };
}

/** A window bound as the API expects it. */
export function formatBound(ms: number, format: HttpSource['timeFormat']): string {
  return format === 'epochMs' ? String(ms) : new Date(ms).toISOString();
}

/** Reads the window page by page and lands the pages; the first window of a stream (no since) reads from the start. */
export async function landHttpWindow(pipeline: string, streamId: string, source: HttpSource, window: StreamWindow,
  options: LandHttpWindowOptions): Promise<LandedBlob[]> {
  const config = httpReaderConfig(pipeline, streamId, source, options.env);
  const landed: LandedBlob[] = [];
  const pages = readHttpPages(config, {
    ...(window.sinceMs === null ? {} : { since: formatBound(window.sinceMs, source.timeFormat) }),
    until: formatBound(window.untilMs, source.timeFormat),
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
  });
  for await (const page of pages) {
    if (page.records.length === 0) continue;
    const blob = await writeLanding(options.container, page.records, {
      stream: safeSegment(streamId), windowId: `w${window.seq}`, part: page.page - 1, abortSignal: options.abortSignal,
    });
    landed.push({ url: options.container.getBlockBlobClient(blob.name).url, format: 'ndjson', gzip: false, records: page.records.length, bytes: blob.bytes });
  }
  return landed;
}
