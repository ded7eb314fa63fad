/**
 * Target table DDL and introspection: create the table when missing, then check that the live table has the
 * configured columns and types and a unique index on the key (ON CONFLICT needs one).
 */
import type { Pool } from 'pg';
import { SluiceError } from '../../core/errors';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { translatePgError } from './pg-errors';
import type { ColumnType, TargetTable } from './target-table';

export const sqlTypes: Record<ColumnType, string> = {
  int: 'integer',
  bigint: 'bigint',
  numeric: 'numeric',
  text: 'text',
  boolean: 'boolean',
  timestamptz: 'timestamp with time zone',
  jsonb: 'jsonb',
};

export interface LiveTable {
  columns: { name: string; sqlType: string }[];
  /** Column sets of unique indexes (including the primary key). */
  uniqueKeys: string[][];
}

export function columnDefinitions(table: TargetTable): string {
  return table.columns.map((c) => `${quoteIdentifier(c.name)} ${sqlTypes[c.type]}`).join(', ');
}

/** Reads the live table's columns and unique keys; undefined when the table does not exist. */
export async function getLiveTable(pool: Pool, schema: string, table: string): Promise<LiveTable | undefined> {
  const name = qualifiedName(schema, table);
  try {
    const exists = await pool.query<{ oid: string | null }>('select to_regclass($1)::oid::text as oid', [name]);
    const oid = exists.rows[0]?.oid;
    if (!oid) return undefined;
    const columns = await pool.query<{ name: string; sql_type: string }>(
      `select attname as name, format_type(atttypid, atttypmod) as sql_type from pg_attribute
       where attrelid = $1::oid and attnum > 0 and not attisdropped order by attnum`, [oid]);
    const keys = await pool.query<{ cols: string[] }>(
      `select array(select a.attname from unnest(i.indkey) with ordinality k(attnum, n)
                    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum order by k.n)::text[] as cols
       from pg_index i where i.indrelid = $1::oid and i.indisunique and i.indpred is null`, [oid]);
    return {
      columns: columns.rows.map((r) => ({ name: r.name, sqlType: r.sql_type })),
      uniqueKeys: keys.rows.map((r) => r.cols),
    };
  } catch (error) {
    throw translatePgError(error, `introspection of ${name}`);
  }
}

/**
 * Runs a `create ... if not exists`. Two sessions racing on the same name can still collide in the catalog
 * (23505, 42P06, 42P07); the loser's object exists afterwards, which is all the caller wanted.
 */
export async function createIfMissing(pool: Pick<Pool, 'query'>, sql: string): Promise<void> {
  try {
    await pool.query(sql);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P06' && code !== '42P07') throw error;
  }
}

/** Creates the schema and table if missing, then verifies the live table matches the configuration. */
export async function ensureTargetTable(pool: Pool, table: TargetTable): Promise<void> {
  const name = qualifiedName(table.schema, table.table);
  const key = table.keyColumns.map(quoteIdentifier).join(', ');
  try {
    await createIfMissing(pool, `create schema if not exists ${quoteIdentifier(table.schema)}`);
    await createIfMissing(pool, `create table if not exists ${name} (${columnDefinitions(table)}, primary key (${key}))`);
  } catch (error) {
    throw translatePgError(error, `creation of ${name}`);
  }
  const live = await getLiveTable(pool, table.schema, table.table);
  const problems: string[] = [];
  for (const column of table.columns) {
    const found = live?.columns.find((c) => c.name === column.name);
    if (!found) problems.push(`column "${column.name}" is missing`);
    else if (found.sqlType !== sqlTypes[column.type]) {
      problems.push(`column "${column.name}" is ${found.sqlType}, configured as ${column.type}`);
    }
  }
  const wanted = [...table.keyColumns].sort().join(',');
  if (!live?.uniqueKeys.some((cols) => [...cols].sort().join(',') === wanted)) {
    problems.push(`no unique index or primary key on (${table.keyColumns.join(', ')})`);
  }
  if (problems.length > 0) {
    throw new SluiceError('ConfigInvalid',
      `Target table ${name} does not match its configuration: ${problems.join('; ')}. To fix: alter the table or the ` +
        'pipeline configuration so they agree.', { ids: { table: `${table.schema}.${table.table}` } });
  }
}
