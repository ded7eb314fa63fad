/**
 * Streams parsed rows into a Cosmos DB container: coerce each row to a document, collect batches, and apply each
 * batch with `guardedBulkUpsert` (version guard with ETag conditions, see guarded-upsert.ts). Memory stays at one
 * batch; a batch is written before the next is read, so the source is read no faster than Cosmos DB accepts.
 */
import type { Container } from '@azure/cosmos';
import type { SourceMode } from '../postgres/coerce';
import type { RejectSink, SourceRecord } from '../records';
import { toDocument, type CosmosDocumentShape } from './documents';
import { documentProblem, guardedBulkUpsert, type GuardedUpsertResult } from './guarded-upsert';

export interface UpsertStreamOptions {
  shape: CosmosDocumentShape;
  mode: SourceMode;
  onReject: RejectSink;
  /** Rows per guarded upsert round trip. @default 500 */
  batchSize?: number;
  abortSignal?: AbortSignal;
}

export interface UpsertStreamResult extends GuardedUpsertResult {
  /** Rows that became documents (rejects not counted). */
  rows: number;
  rejects: number;
}

export async function upsertRecordStream(container: Container, records: AsyncIterable<SourceRecord>, options: UpsertStreamOptions): Promise<UpsertStreamResult> {
  const batchSize = options.batchSize ?? 500;
  const result: UpsertStreamResult = { rows: 0, rejects: 0, inserted: 0, updated: 0, skippedByGuard: 0, retried: 0 };
  const onReject: RejectSink = (reject) => {
    result.rejects++;
    options.onReject(reject);
  };
  let batch: SourceRecord[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const before = result.rejects;
    const written = await guardedBulkUpsert(container, batch, { partitionKeyField: options.shape.partitionKeyField, versionField: options.shape.versionColumn, onReject });
    result.rows += batch.length - (result.rejects - before);
    result.inserted += written.inserted;
    result.updated += written.updated;
    result.skippedByGuard += written.skippedByGuard;
    result.retried += written.retried;
    batch = [];
  };
  for await (const record of records) {
    options.abortSignal?.throwIfAborted();
    const document = toDocument(record, options.shape, options.mode);
    if (!document.ok) onReject({ line: record.line, raw: record.raw, reason: document.reason });
    else batch.push(document.record);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return result;
}

/**
 * The same checks as `upsertRecordStream` without writing: every row that would be rejected is reported, so a
 * load can check its reject ratio before it changes the container.
 */
export async function validateRecordStream(records: AsyncIterable<SourceRecord>, options: Omit<UpsertStreamOptions, 'batchSize'>): Promise<{ rows: number; rejects: number }> {
  const guard = { partitionKeyField: options.shape.partitionKeyField, versionField: options.shape.versionColumn };
  let rows = 0;
  let rejects = 0;
  for await (const record of records) {
    options.abortSignal?.throwIfAborted();
    const document = toDocument(record, options.shape, options.mode);
    const reason = document.ok ? documentProblem(document.record.values, guard) : document.reason;
    if (reason === undefined) rows++;
    else {
      rejects++;
      options.onReject({ line: record.line, raw: record.raw, reason });
    }
  }
  return { rows, rejects };
}
