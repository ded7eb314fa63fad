/**
 * The `WindowExtractor` of stream pipelines: a window's inline records land as one NDJSON blob in the landing
 * container (overwritten by a retry of the same window); blob refs are already landed and pass on as they are,
 * pinned to their current version; an HTTP source is read for the window's range and its pages land as NDJSON
 * blobs (functions/http-window-source.ts). Records the window as running in the ledger.
 */
import { findPipeline } from '../core/config';
import { SluiceError } from '../core/errors';
import { getBlobInfo, writeLanding } from '../connectors/blob';
import type { ExtractWindowInput, ExtractWindowResult, LandedBlob, WindowExtractor } from './activities/extract-window';
import { getBlobService, getLandingContainer, getLedger } from './app-services';
import { getEffectiveConfig } from './config-runtime';
import { safeSegment, windowKey } from './pipeline-target';
import { blobOfUrl } from './blob-url';
import { landHttpWindow } from './http-window-source';

export const windowExtractor: WindowExtractor = {
  async extractWindow(input: ExtractWindowInput, options): Promise<ExtractWindowResult> {
    const startedAtMs = Date.now();
    const { window } = input;
    const pipeline = findPipeline(await getEffectiveConfig(), input.streamId);
    if (pipeline === undefined || pipeline.name !== input.pipeline) {
      throw new SluiceError('ConfigInvalid', `extractWindow: pipeline "${input.pipeline}" no longer serves stream "${input.streamId}". ` +
        'To fix: restore the pipeline, or suspend the stream and reconcile it.', { ids: { streamId: input.streamId, windowId: window.windowId } });
    }
    const key = windowKey(input.streamId, window.seq);
    const landed: LandedBlob[] = [];
    if (pipeline.source.kind === 'http') {
      const container = await getLandingContainer();
      landed.push(...await landHttpWindow(pipeline.name, input.streamId, pipeline.source, window,
        { container, env: process.env, ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }) }));
    }
    if (window.records.length > 0) {
      const container = await getLandingContainer();
      const blob = await writeLanding(container, window.records, { stream: safeSegment(input.streamId), windowId: `w${window.seq}`, abortSignal: options.abortSignal });
      landed.push({ url: container.getBlockBlobClient(blob.name).url, format: 'ndjson', gzip: false, records: window.records.length, bytes: blob.bytes });
    }
    for (const ref of window.blobRefs) {
      const { container, name } = blobOfUrl(getBlobService(), ref.url);
      const info = await getBlobInfo(container, name);
      if (ref.etag !== undefined && ref.etag !== info.etag) {
        throw new SluiceError('PreconditionFailed', `extractWindow: blob ${ref.url} changed since it was referenced (etag ${info.etag}, event names ${ref.etag}). ` +
          'To fix: send a new event for the new version.', { ids: { streamId: input.streamId, windowId: window.windowId } });
      }
      landed.push({ url: ref.url, format: pipeline.format.kind, gzip: pipeline.format.gzip, records: 0, bytes: info.size });
    }
    const ledger = await getLedger();
    await ledger.upsertEntry({
      stream: input.streamId,
      kind: 'window',
      ref: key,
      seq: window.seq,
      outcome: 'running',
      startedAt: new Date(startedAtMs).toISOString(),
      window: { from: new Date(window.sinceMs ?? 0).toISOString(), until: new Date(window.untilMs).toISOString(), events: window.events },
      files: landed.map((l) => l.url),
      ...(window.correlationIds === undefined ? {} : { correlationIds: window.correlationIds }),
      durations: { extractInMs: Date.now() - startedAtMs },
    });
    return { windowId: window.windowId, landed, records: landed.reduce((sum, l) => sum + l.records, 0) };
  },
};
