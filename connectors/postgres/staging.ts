/**
 * Staging: one UNLOGGED table per (load, chunk), loaded with COPY FROM STDIN.
 *
 * Chunk idempotency: the table is dropped, recreated and filled in ONE transaction, under a transaction-level
 * advisory lock on the table's name. A COPY killed mid-stream rolls back with its table, a retry replaces
 * whatever an earlier attempt committed, and two attempts of the same chunk never interleave. So a chunk's
 * staging table always holds exactly one complete attempt, and a retried chunk never duplicates rows.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import { SluiceError } from '../../core/errors';
import { from as copyFrom } from 'pg-copy-streams';
import type { RejectSink, SourceRecord } from '../records';
import { coerceRow, type SourceMode } from './coerce';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { translatePgError } from './pg-errors';
import { columnDefinitions, createIfMissing } from './table';
import type { TargetTable } from './target-table';

/** @default schema for staging tables */
export const defaultStagingSchema = 'sluice_staging';
/**
 * Staging tables are written once, read once by the merge and dropped: autovacuum's ANALYZE of a freshly loaded
 * chunk would only compete with the merge for CPU, and a DROP waits for it to give up its lock.
 */
export const stagingStorage = 'with (autovacuum_enabled = false, toast.autovacuum_enabled = false)';
/** COPY data is sent in blocks of about this many characters; one write per row is slow. */
const copyBlockChars = 64 * 1024;

export interface ChunkRef {
  loadId: string;
  chunkIndex: number;
  /** @default 'sluice_staging' */
  stagingSchema?: string;
}

/** Deterministic table name per (load, chunk): a hash of the load id keeps any id within identifier rules. */
export function stagingTableName(loadId: string, chunkIndex: number): string {
  if (!Number.isSafeInteger(chunkIndex) || chunkIndex < 0) {
    throw new RangeError(`chunkIndex must be a non-negative integer, got ${chunkIndex}`);
  }
  return `s_${createHash('sha256').update(loadId).digest('hex').slice(0, 24)}_${chunkIndex}`;
}

export function stagingQualifiedName(ref: ChunkRef): string {
  return qualifiedName(ref.stagingSchema ?? defaultStagingSchema, stagingTableName(ref.loadId, ref.chunkIndex));
}

export interface CopyChunkOptions extends ChunkRef {
  table: TargetTable;
  records: AsyncIterable<SourceRecord>;
  mode: SourceMode;
  onReject: RejectSink;
}

export interface CopyChunkResult {
  /** Rows in the staging table after the COPY (as reported by the server). */
  rows: number;
  rejects: number;
}

/** Source errors (a corrupt gzip stream, a parser failure) keep their own code instead of passing as COPY errors. */
async function* sourceRecords(options: CopyChunkOptions): AsyncGenerator<SourceRecord> {
  try {
    yield* options.records;
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw new SluiceError('SourceFailed', `Reading the records of load ${options.loadId} chunk ${options.chunkIndex} failed: ` +
      `${(error as Error).message}. To fix: check the source file (e.g. a truncated or corrupt gzip).`,
    { ids: { loadId: options.loadId, chunk: String(options.chunkIndex) }, cause: error });
  }
}

async function* copyLines(options: CopyChunkOptions, counts: { rejects: number }): AsyncGenerator<string> {
  let block = '';
  for await (const record of sourceRecords(options)) {
    const row = coerceRow(record.values, options.table, options.mode);
    if (!row.ok) {
      counts.rejects++;
      options.onReject({ line: record.line, raw: record.raw, reason: row.reason });
      continue;
    }
    block += row.line;
    if (block.length >= copyBlockChars) {
      yield block;
      block = '';
    }
  }
  if (block.length > 0) yield block;
}

/** (Re)creates the chunk's staging table and COPYs the records into it, all or nothing. */
export async function copyChunk(pool: Pool, options: CopyChunkOptions): Promise<CopyChunkResult> {
  const schema = options.stagingSchema ?? defaultStagingSchema;
  const name = stagingQualifiedName(options);
  const columns = options.table.columns.map((c) => quoteIdentifier(c.name)).join(', ');
  const ids = { loadId: options.loadId, chunk: String(options.chunkIndex) };
  const counts = { rejects: 0 };
  let client;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translatePgError(error, `connect for COPY into ${name}`, ids);
  }
  let failed = false;
  // A checked-out client has no pool listener: without ours, a dropped connection is an unhandled 'error' event.
  // The failure itself still surfaces through the COPY stream or the next query.
  const onConnectionError = (): void => {
    failed = true;
  };
  client.on('error', onConnectionError);
  try {
    // Outside the transaction: parallel chunks race to create the schema, and the loser must not abort.
    await createIfMissing(client, `create schema if not exists ${quoteIdentifier(schema)}`);
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [name]);
    await client.query(`drop table if exists ${name}`);
    await client.query(`create unlogged table ${name} (${columnDefinitions(options.table)}) ${stagingStorage}`);
    const copy = client.query(copyFrom(`copy ${name} (${columns}) from stdin`));
    await pipeline(Readable.from(copyLines(options, counts)), copy);
    await client.query('commit');
    return { rows: Number(copy.rowCount), rejects: counts.rejects };
  } catch (error) {
    failed = true;
    // The connection may already be gone; the error worth reporting is the one that got us here.
    await client.query('rollback').catch(() => undefined);
    throw translatePgError(error, `COPY into ${name}`, ids);
  } finally {
    client.off('error', onConnectionError);
    // A client whose COPY broke may be in an unknown protocol state: destroy it instead of reusing it.
    client.release(failed);
  }
}

/** Drops the staging tables of a load's chunks (after a successful merge); missing tables are fine. */
export async function dropStaging(pool: Pool, refs: readonly ChunkRef[]): Promise<void> {
  if (refs.length === 0) return;
  const names = refs.map(stagingQualifiedName);
  try {
    await pool.query(`drop table if exists ${names.join(', ')}`);
  } catch (error) {
    throw translatePgError(error, `drop of staging tables ${names.join(', ')}`);
  }
}
