/**
 * CSV fast path: the chunk's bytes go unparsed to `COPY ... (format csv)` straight into the chunk's typed staging
 * table, so PostgreSQL parses and converts (the client only runs CsvStrictScanner over the bytes on the way).
 * The result must be exactly what copyChunk gives for the same bytes through csv-parse + coerce.ts, so this
 * path either loads the whole chunk with no rejects, or loads nothing and says why (`loaded: false`); the
 * caller then loads the chunk through copyChunk, which gives every bad row its precise reject.
 *
 * Mapping of CSV fields to COPY: header columns that name a table column load into it; other header columns
 * load into throw-away text columns of the staging table (the merge selects table columns by name); table
 * columns missing from the header stay NULL. Empty values: NULL for non-text columns, quoted or not
 * (FORCE_NULL), the empty string for text columns (FORCE_NOT_NULL), as in coerce.ts.
 *
 * Idempotency is copyChunk's: drop, create and COPY in one transaction under the chunk's advisory lock.
 */
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DatabaseError, type Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CsvStrictScanner, CsvStrictViolation, type StrictFieldRule } from '../csv/strict-scan';
import { quoteIdentifier } from './identifiers';
import { isRetryablePgError, translatePgError } from './pg-errors';
import { defaultStagingSchema, stagingQualifiedName, stagingStorage, type ChunkRef } from './staging';
import { columnDefinitions, createIfMissing } from './table';
import type { TargetTable } from './target-table';

export interface CopyCsvChunkOptions extends ChunkRef {
  table: TargetTable;
  /** The file's header names, in file order. */
  columns: readonly string[];
  /** The chunk's data records (no header line), as bytes. */
  data: AsyncIterable<Uint8Array>;
  /** @default ',' */
  delimiter?: string;
}

export type CopyCsvChunkResult = { loaded: true; rows: number } | { loaded: false; reason: string };

interface CsvCopyPlan {
  rules: StrictFieldRule[];
  /** One staging column per CSV field, in file order. */
  copyColumns: string[];
  /** Throw-away text columns for header fields that are not table columns. */
  extraDefinitions: string[];
  forceNull: string[];
  forceNotNull: string[];
}

/** Decides per header column how it loads; a string says why the fast path cannot take this chunk at all. */
export function planCsvCopy(table: TargetTable, columns: readonly string[]): CsvCopyPlan | string {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  for (const name of [...table.keyColumns, table.versionColumn]) {
    if (!columns.includes(name)) return `the header has no column "${name}" (a key or version column)`;
  }
  if (columns.length < 2) return 'the file has fewer than two columns';
  const plan: CsvCopyPlan = { rules: [], copyColumns: [], extraDefinitions: [], forceNull: [], forceNotNull: [] };
  columns.forEach((name, i) => {
    const column = byName.get(name);
    if (!column) {
      const extra = quoteIdentifier(`_sluice_csv_field_${i + 1}`);
      plan.extraDefinitions.push(`${extra} text`);
      plan.copyColumns.push(extra);
      plan.rules.push({ kind: 'text', required: false });
      return;
    }
    const quoted = quoteIdentifier(name);
    plan.copyColumns.push(quoted);
    (column.type === 'text' ? plan.forceNotNull : plan.forceNull).push(quoted);
    const keyOrVersion = name === table.versionColumn || table.keyColumns.includes(name);
    // A text key may be the empty string in coerce.ts; only a NULL key or version is refused.
    plan.rules.push({ kind: column.type === 'bigint' ? 'int' : column.type, required: keyOrVersion && column.type !== 'text' });
  });
  return plan;
}

/**
 * Why the fast path gives the chunk to the csv-parse path, or undefined when the error is the database's own
 * (connection loss, permissions, disk) and must surface as it would from copyChunk. Data errors (SQLSTATE class
 * 22: bad quoting, a value PostgreSQL refuses) and source errors (a corrupt gzip, a changed blob) fall back: the
 * csv-parse path reports them row by row, or with its own error.
 */
function fallbackReason(error: unknown): string | undefined {
  if (error instanceof CsvStrictViolation) return error.message;
  if (error instanceof DatabaseError) return error.code?.startsWith('22') ? `PostgreSQL refused the CSV: ${error.message}` : undefined;
  if (isRetryablePgError(error)) return undefined;
  return `reading the chunk failed: ${(error as Error).message}`;
}

function scanning(scanner: CsvStrictScanner): Transform {
  return new Transform({
    transform(bytes: Buffer, _encoding, done) {
      try {
        scanner.push(bytes);
        done(null, bytes);
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        scanner.finish();
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

/** (Re)creates the chunk's staging table and COPYs the CSV bytes into it, or loads nothing and says why. */
export async function copyCsvChunk(pool: Pool, options: CopyCsvChunkOptions): Promise<CopyCsvChunkResult> {
  const plan = planCsvCopy(options.table, options.columns);
  if (typeof plan === 'string') return { loaded: false, reason: plan };
  const delimiter = options.delimiter ?? ',';
  let scanner: CsvStrictScanner;
  try {
    scanner = new CsvStrictScanner(plan.rules, delimiter);
  } catch (error) {
    if (error instanceof CsvStrictViolation) return { loaded: false, reason: error.message };
    throw error;
  }
  const schema = options.stagingSchema ?? defaultStagingSchema;
  const name = stagingQualifiedName(options);
  const ids = { loadId: options.loadId, chunk: String(options.chunkIndex) };
  const definitions = [columnDefinitions(options.table), ...plan.extraDefinitions].join(', ');
  const force = [
    plan.forceNull.length > 0 ? `force_null (${plan.forceNull.join(', ')})` : '',
    plan.forceNotNull.length > 0 ? `force_not_null (${plan.forceNotNull.join(', ')})` : '',
  ].filter((f) => f !== '');
  const copySql = `copy ${name} (${plan.copyColumns.join(', ')}) from stdin with ` +
    `(format csv, delimiter ${delimiter === "'" ? "''''" : `'${delimiter}'`}, quote '"', ${['header false', ...force].join(', ')})`;
  let client;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translatePgError(error, `connect for COPY into ${name}`, ids);
  }
  let broken = false;
  const onConnectionError = (): void => {
    broken = true;
  };
  client.on('error', onConnectionError);
  try {
    await createIfMissing(client, `create schema if not exists ${quoteIdentifier(schema)}`);
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [name]);
    await client.query(`drop table if exists ${name}`);
    await client.query(`create unlogged table ${name} (${definitions}) ${stagingStorage}`);
    const copy = client.query(copyFrom(copySql));
    await pipeline(Readable.from(options.data), scanning(scanner), copy);
    if (Number(copy.rowCount) !== scanner.records) {
      await client.query('rollback');
      return { loaded: false, reason: `PostgreSQL read ${copy.rowCount} records where the scan counted ${scanner.records}` };
    }
    await client.query('commit');
    return { loaded: true, rows: Number(copy.rowCount) };
  } catch (error) {
    broken = true;
    await client.query('rollback').catch(() => undefined);
    const reason = fallbackReason(error);
    if (reason !== undefined) return { loaded: false, reason };
    throw translatePgError(error, `COPY (format csv) into ${name}`, ids);
  } finally {
    client.off('error', onConnectionError);
    // After an aborted COPY the connection may be in an unknown protocol state: destroy it instead of reusing it.
    client.release(broken);
  }
}
