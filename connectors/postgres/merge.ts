/**
 * The set-based merge from staging into the target, guarded by the version column:
 *
 *   with src as materialized (select distinct on (key) cols from (staging tables union all) order by key, version desc),
 *        ins as (insert into target as t (cols) select cols from src
 *                on conflict (key) do update set col = excluded.col, ...
 *                where t.version < excluded.version
 *                returning (xmax = 0) as inserted)
 *   select count of src, inserted, updated
 *
 * Only the newest staged row per key competes; it replaces the target row only if strictly newer, so an older
 * row never overwrites a newer one and re-applying the same data changes nothing (merges are safe to retry).
 */
import type { Pool } from 'pg';
import { SluiceError } from '../../core/errors';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { translatePgError } from './pg-errors';
import { stagingQualifiedName, type ChunkRef } from './staging';
import type { TargetTable } from './target-table';

export interface MergeResult {
  /** Distinct keys offered by staging (duplicates within the load are reduced to the newest version). */
  candidates: number;
  inserted: number;
  updated: number;
  /** Keys whose target row already had the same or a newer version. */
  skippedByGuard: number;
}

/** Builds the merge statement for the given staging tables (all identifiers validated and quoted). */
export function buildMergeSql(table: TargetTable, stagingTables: readonly string[]): string {
  if (stagingTables.length === 0) throw new RangeError('buildMergeSql needs at least one staging table');
  const target = qualifiedName(table.schema, table.table);
  const cols = table.columns.map((c) => quoteIdentifier(c.name));
  const list = cols.join(', ');
  const key = table.keyColumns.map(quoteIdentifier).join(', ');
  const version = quoteIdentifier(table.versionColumn);
  const updates = table.columns
    .filter((c) => !table.keyColumns.includes(c.name))
    .map((c) => `${quoteIdentifier(c.name)} = excluded.${quoteIdentifier(c.name)}`)
    .join(', ');
  const union = stagingTables.map((name) => `select ${list} from ${name}`).join(' union all ');
  return `with src as materialized (
  select distinct on (${key}) ${list} from (${union}) s order by ${key}, ${version} desc
), ins as (
  insert into ${target} as t (${list}) select ${list} from src
  on conflict (${key}) do update set ${updates}
  where t.${version} < excluded.${version}
  returning (xmax = 0) as inserted
)
select (select count(*) from src)::bigint as candidates,
       count(*) filter (where inserted)::bigint as inserted,
       count(*) filter (where not inserted)::bigint as updated
from ins`;
}

/** Merges the chunks' staging tables into the target. Staging stays; drop it with dropStaging afterwards. */
export async function mergeStaging(pool: Pool, table: TargetTable, chunks: readonly ChunkRef[]): Promise<MergeResult> {
  const names = chunks.map(stagingQualifiedName);
  const target = `${table.schema}.${table.table}`;
  const loadId = chunks[0]?.loadId ?? '';
  let missing: string[];
  try {
    const found = await pool.query<{ name: string; oid: string | null }>(
      'select n as name, to_regclass(n)::oid::text as oid from unnest($1::text[]) n', [names]);
    missing = found.rows.filter((r) => r.oid === null).map((r) => r.name);
  } catch (error) {
    throw translatePgError(error, `merge into ${target}`, { loadId });
  }
  if (names.length === 0 || missing.length > 0) {
    throw new SluiceError('PreconditionFailed',
      `Merge into ${target} for load ${loadId} cannot run: staging tables missing: ${missing.join(', ') || '(no chunks given)'}. ` +
        'To fix: load (or reload) those chunks first; a merge needs every chunk of the load staged.',
      { ids: { loadId, table: target } });
  }
  try {
    const result = await pool.query<{ candidates: string; inserted: string; updated: string }>(buildMergeSql(table, names));
    const row = result.rows[0]!;
    const candidates = Number(row.candidates);
    const inserted = Number(row.inserted);
    const updated = Number(row.updated);
    return { candidates, inserted, updated, skippedByGuard: candidates - inserted - updated };
  } catch (error) {
    throw translatePgError(error, `merge into ${target}`, { loadId });
  }
}
