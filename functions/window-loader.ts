/**
 * The `WindowLoader` of stream pipelines into PostgreSQL: every landed blob of the window is parsed and COPYed
 * into its own staging table (chunk = blob), rows that cannot load go to the rejects container, then one
 * version-guarded merge applies the window and staging is dropped. A retry redoes the same staging tables and
 * the guard skips what an earlier attempt merged, so a window never lands twice. The ledger entry the extract
 * opened is closed with the outcome, counts, durations and the landed files. A replay (window-replayer.ts) loads
 * a committed window's landed files again through the same code, under its own ledger entry.
 */
import type { Readable } from 'node:stream';
import { findPipeline, type PipelineConfig } from '../core/config';
import { isSluiceError, SluiceError } from '../core/errors';
import { openRange, RejectsWriter } from '../connectors/blob';
import { parseCsv } from '../connectors/csv/parse-csv';
import { decompressIf } from '../connectors/gzip';
import { parseNdjson } from '../connectors/ndjson/parse-ndjson';
import type { LedgerEntry } from '../connectors/cosmos';
import { copyChunk, dropStaging, ensureTargetTable, mergeStaging, type ChunkRef, type TargetTable } from '../connectors/postgres';
import type { RejectSink, SourceRecord } from '../connectors/records';
import type { LandedBlob } from './activities/extract-window';
import type { LoadWindowInput, LoadWindowResult, WindowLoader } from './activities/load-window';
import { getBlobService, getLedger, getPgPool, getRejectsContainer } from './app-services';
import { blobOfUrl } from './blob-url';
import { getEffectiveConfig } from './config-runtime';
import { targetTableOf, WINDOW_SEQ_COLUMN, windowKey } from './pipeline-target';

/** Tables this app instance already created or checked. */
const ensuredTables = new Set<string>();

async function ensureOnce(table: TargetTable): Promise<void> {
  const name = JSON.stringify([table.schema, table.table, table.columns, table.keyColumns, table.versionColumn]);
  if (ensuredTables.has(name)) return;
  await ensureTargetTable(getPgPool(), table);
  ensuredTables.add(name);
}

async function* withWindowSeq(records: AsyncIterable<SourceRecord>, windowSeq: number): AsyncGenerator<SourceRecord> {
  for await (const record of records) yield { ...record, values: { ...record.values, [WINDOW_SEQ_COLUMN]: windowSeq } };
}

function parse(stream: Readable, blob: LandedBlob, pipeline: PipelineConfig, name: string, onReject: RejectSink): AsyncIterable<SourceRecord> {
  const input = decompressIf(stream, blob.gzip);
  return blob.format === 'csv' ? parseCsv(input, { delimiter: pipeline.format.delimiter, onReject, file: name }) : parseNdjson(input, { onReject });
}

/** COPYs every landed blob into its staging table; `chunks` collects each staging table as soon as it exists. */
async function loadChunks(input: LoadWindowInput, pipeline: PipelineConfig, table: TargetTable, loadId: string, chunks: ChunkRef[],
  abortSignal?: AbortSignal): Promise<{ rows: number; rejects: number }> {
  const rejectsContainer = await getRejectsContainer();
  let rows = 0;
  let rejects = 0;
  for (const [chunkIndex, blob] of input.extracted.landed.entries()) {
    const { container, name } = blobOfUrl(getBlobService(), blob.url);
    const writer = new RejectsWriter(rejectsContainer, { loadId, file: name, chunkIndex });
    const stream = await openRange(container, name, { offset: 0, abortSignal });
    const parsed = parse(stream, blob, pipeline, name, writer.add);
    const records = pipeline.versionColumn === undefined ? withWindowSeq(parsed, input.windowSeq) : parsed;
    chunks.push({ loadId, chunkIndex });
    const result = await copyChunk(getPgPool(), { loadId, chunkIndex, table, records, mode: blob.format === 'csv' ? 'text' : 'json', onReject: writer.add });
    await writer.flush(abortSignal);
    rows += result.rows;
    rejects += writer.count;
  }
  return { rows, rejects };
}

/** What to load and which ledger entry records it: a window's own entry, or a replay's. */
export interface LandedLoad {
  input: LoadWindowInput;
  /** Ref of the ledger entry to close with the outcome (the load's id for staging and rejects too). */
  ref: string;
  replayOf?: string;
  startedAtMs: number;
  /** The entry as opened before the load (the extract's, or the replayed window's), whose fields carry on. */
  opened: LedgerEntry | undefined;
  abortSignal?: AbortSignal;
}

/**
 * Loads landed files into the pipeline's current target with the version guard and closes the ledger entry with
 * the outcome, counts, durations and the landed files (what a replay needs to load them again).
 */
export async function loadLanded(load: LandedLoad): Promise<LoadWindowResult> {
  const { input, ref, startedAtMs, opened } = load;
  const ledger = await getLedger();
  const entry = {
    stream: input.streamId,
    kind: 'window' as const,
    ref,
    seq: input.windowSeq,
    ...(load.replayOf === undefined ? {} : { replayOf: load.replayOf }),
    startedAt: load.replayOf === undefined ? opened?.startedAt ?? new Date(startedAtMs).toISOString() : new Date(startedAtMs).toISOString(),
    ...(opened?.window === undefined ? {} : { window: opened.window }),
    files: input.extracted.landed.map((l) => l.url),
    landed: input.extracted.landed,
    ...(opened?.correlationIds === undefined ? {} : { correlationIds: opened.correlationIds }),
  };
  const priorDurations = load.replayOf === undefined ? opened?.durations : {};
  const chunks: ChunkRef[] = [];
  try {
    const pipeline = findPipeline(await getEffectiveConfig(), input.streamId);
    if (pipeline === undefined || pipeline.name !== input.pipeline) {
      throw new SluiceError('ConfigInvalid', `loadWindow: pipeline "${input.pipeline}" no longer serves stream "${input.streamId}". ` +
        'To fix: restore the pipeline, or suspend the stream and reconcile it.', { ids: { streamId: input.streamId, windowId: input.windowId } });
    }
    const table = targetTableOf(pipeline);
    await ensureOnce(table);
    const copied = await loadChunks(input, pipeline, table, ref, chunks, load.abortSignal);
    const copyDoneMs = Date.now();
    const total = copied.rows + copied.rejects;
    if (copied.rejects > pipeline.maxRejectRatio * total) {
      throw new SluiceError('RejectThresholdExceeded', `loadWindow: ${copied.rejects} of ${total} rows of window "${input.windowId}" were rejected, ` +
        `more than maxRejectRatio ${pipeline.maxRejectRatio} of pipeline "${pipeline.name}". To fix: see the rejects under "${ref}/" in the rejects ` +
        'container, correct the data or the pipeline columns, then resume or reconcile the stream.', { ids: { streamId: input.streamId, windowId: input.windowId } });
    }
    const merged = chunks.length === 0 ? { candidates: 0, inserted: 0, updated: 0, skippedByGuard: 0 } : await mergeStaging(getPgPool(), table, chunks);
    await dropStaging(getPgPool(), chunks);
    const finishedAtMs = Date.now();
    await ledger.upsertEntry({
      ...entry,
      outcome: 'succeeded',
      finishedAt: new Date(finishedAtMs).toISOString(),
      counts: { rows: copied.rows, inserted: merged.inserted, updated: merged.updated, skippedByGuard: merged.skippedByGuard, rejects: copied.rejects },
      durations: { ...priorDurations, copyInMs: copyDoneMs - startedAtMs, mergeInMs: finishedAtMs - copyDoneMs, loadInMs: finishedAtMs - startedAtMs },
    });
    return { rowsWritten: merged.inserted + merged.updated, rowsRejected: copied.rejects };
  } catch (error) {
    // A window that fails for good (retries exhausted, stream suspended) is retried, if ever, under a new window
    // key: its staging tables would stay forever. A retry of this one recreates them anyway.
    await dropStaging(getPgPool(), chunks).catch(() => undefined);
    const code = isSluiceError(error) ? error.code : 'SinkFailed';
    await ledger.upsertEntry({
      ...entry,
      outcome: 'failed',
      finishedAt: new Date().toISOString(),
      durations: { ...priorDurations, loadInMs: Date.now() - startedAtMs },
      error: { code, message: (error as Error).message },
    }).catch(() => undefined); // the load's own error is the one to report; the ledger is best effort here
    throw error;
  }
}

export const windowLoader: WindowLoader = {
  async loadWindow(input: LoadWindowInput, options): Promise<LoadWindowResult> {
    const startedAtMs = Date.now();
    const ref = windowKey(input.streamId, input.windowSeq);
    const opened = await (await getLedger()).getEntry(input.streamId, 'window', ref);
    return loadLanded({ input, ref, startedAtMs, opened, ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }) });
  },
};
