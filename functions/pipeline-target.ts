/**
 * Maps a pipeline of the configuration onto the PostgreSQL sink's `TargetTable`, and names a window's artefacts
 * (landing blob, staging tables, rejects, ledger entry) with one key that is safe in blob names and document ids.
 */
import type { PipelineConfig } from '../core/config';
import { SluiceError } from '../core/errors';
import { targetTableSchema, type ColumnType, type TargetTable } from '../connectors/postgres';

/**
 * Version column added when a pipeline declares none: it holds the window's sequence number, so the merge guard
 * lets a later window win and makes a re-applied window change nothing.
 */
export const WINDOW_SEQ_COLUMN = 'sluice_window_seq';

const columnTypeOf: Record<string, ColumnType | undefined> = {
  text: 'text', integer: 'int', bigint: 'bigint', numeric: 'numeric', boolean: 'boolean', timestamptz: 'timestamptz', jsonb: 'jsonb',
};

/** Key columns, the version column, then the declared columns; undeclared columns load as text. */
export function targetTableOf(pipeline: PipelineConfig): TargetTable {
  if (pipeline.target.kind !== 'postgres') {
    throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline.name}": stream loads into a "${pipeline.target.kind}" target are not supported yet. ` +
      'To fix: use a "postgres" target for stream pipelines.', { ids: { pipeline: pipeline.name } });
  }
  const versionColumn = pipeline.versionColumn ?? WINDOW_SEQ_COLUMN;
  const names = [...pipeline.keyColumns, versionColumn, ...Object.keys(pipeline.columns)].filter((name, i, all) => all.indexOf(name) === i);
  const columns = names.map((name) => {
    const declared = name === WINDOW_SEQ_COLUMN && pipeline.versionColumn === undefined ? 'bigint' : pipeline.columns[name] ?? 'text';
    const type = columnTypeOf[declared];
    if (type === undefined) {
      throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline.name}": column "${name}" has type "${declared}", which the PostgreSQL stream sink ` +
        `does not load yet. To fix: use one of ${Object.keys(columnTypeOf).join(', ')}.`, { ids: { pipeline: pipeline.name } });
    }
    return { name, type };
  });
  const parsed = targetTableSchema.safeParse({ schema: pipeline.target.schema, table: pipeline.target.table, keyColumns: pipeline.keyColumns, versionColumn, columns });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline.name}": target table invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. ` +
      'To fix: correct the pipeline\'s target, keyColumns, versionColumn and columns.', { ids: { pipeline: pipeline.name } });
  }
  return parsed.data;
}

/** `streamId` with every character outside `[A-Za-z0-9_-]` written as `=XX` (hex): injective and blob-name safe. */
export function safeSegment(streamId: string): string {
  return streamId.replace(/[^A-Za-z0-9_-]/g, (c) => `=${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** One key per window for its landing blob folder, staging tables, rejects folder and ledger entry. */
export function windowKey(streamId: string, windowSeq: number): string {
  return `${safeSegment(streamId)}.w${windowSeq}`;
}

/** Ledger ref (and staging/rejects key) of one replay of a window: `<windowKey>.replay-<replayId>`. */
export function replayRef(windowRef: string, replayId: string): string {
  return `${windowRef}.replay-${replayId}`;
}
