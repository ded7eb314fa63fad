/** PostgreSQL sink: pool, target table, staging COPY per chunk, guarded merge. See docs/connectors.md. */
export { createPgPool, type CreatePgPoolOptions } from './pool';
export { identifierPattern, quoteIdentifier, qualifiedName } from './identifiers';
export { targetTableSchema, columnTypes, type TargetTable, type ColumnType } from './target-table';
export { ensureTargetTable, getLiveTable, type LiveTable } from './table';
export { coerceRow, coerceValue, copyTextField, type SourceMode } from './coerce';
export { copyChunk, dropStaging, stagingTableName, defaultStagingSchema, type ChunkRef, type CopyChunkOptions, type CopyChunkResult } from './staging';
export { copyCsvChunk, planCsvCopy, type CopyCsvChunkOptions, type CopyCsvChunkResult } from './copy-csv';
export { buildMergeSql, mergeStaging, type MergeResult } from './merge';
export { translatePgError, isRetryablePgError } from './pg-errors';
