/**
 * The export step's SQL: a declarative aggregate of a table, or a configured SELECT, ordered by the partition
 * key so rows arrive grouped per key. Identifiers are quoted with pg-format's `%I`; the configured SELECT runs
 * wrapped as a sub-query (so it is one SELECT: the extended protocol refuses several statements) inside a
 * READ ONLY transaction, streamed with a cursor (pg-query-stream) so memory stays at one batch.
 */
import type { Pool, PoolClient } from 'pg';
import format from 'pg-format';
import QueryStream from 'pg-query-stream';
import { translatePgError } from './pg-errors';

export type ExportMeasure = { fn: 'count' | 'sum' | 'min' | 'max' | 'avg'; column?: string; as: string };

export type ExportSource =
  | { kind: 'query'; sql: string }
  | { kind: 'aggregate'; schema: string; table: string; groupBy: string[]; measures: ExportMeasure[] };

export function buildExportSql(source: ExportSource, partitionBy: string): string {
  if (source.kind === 'query') return format('select * from (%s) as sluice_export order by %I', source.sql, partitionBy);
  const measures = source.measures.map((m) => (m.column === undefined ? format('count(*) as %I', m.as) : format('%s(%I) as %I', m.fn, m.column, m.as)));
  const groups = source.groupBy.map((column) => format('%I', column));
  return format('select %s from %I.%I group by %s order by %I', [...groups, ...measures].join(', '), source.schema, source.table, groups.join(', '), partitionBy);
}

export interface ExportRowsOptions {
  /** Rows fetched per cursor round trip. @default 1000 */
  batchSize?: number;
  /** Server-side limit of the whole query. @default 300000 (5 minutes) */
  statementTimeoutInMs?: number;
}

/** Yields the rows of `sql` in order, read-only; the connection is released when the iteration ends. */
export async function* streamExportRows(pool: Pool, sql: string, options: ExportRowsOptions = {}): AsyncGenerator<Record<string, unknown>> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translatePgError(error, 'connecting for the export query');
  }
  let failed = false;
  let committed = false;
  try {
    await client.query('begin read only');
    await client.query(format('set local statement_timeout = %L', String(options.statementTimeoutInMs ?? 300_000)));
    const stream = client.query(new QueryStream(sql, [], { batchSize: options.batchSize ?? 1000 }));
    for await (const row of stream) yield row as Record<string, unknown>;
    await client.query('commit');
    committed = true;
  } catch (error) {
    failed = true;
    throw translatePgError(error, `export query ${JSON.stringify(sql.slice(0, 200))}`);
  } finally {
    // A failed query's connection is discarded; an abandoned iteration's transaction is rolled back.
    if (failed) client.release(true);
    else {
      if (!committed) await client.query('rollback').catch(() => undefined);
      client.release();
    }
  }
}
