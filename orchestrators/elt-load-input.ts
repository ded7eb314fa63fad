/** Input of the `eltLoad` orchestration and of its activities (validated on both sides with zod). */
import { z } from 'zod';
import { eltExportSchema, eltNotifyTargetSchema } from './elt-outputs-input';

/** Target table as the PostgreSQL sink takes it; the activities validate it again with the sink's own schema. */
export const eltTableSchema = z
  .object({
    schema: z.string().min(1),
    table: z.string().min(1),
    keyColumns: z.array(z.string().min(1)).min(1),
    versionColumn: z.string().min(1),
    columns: z.array(z.object({ name: z.string().min(1), type: z.string().min(1) }).strict()).min(1),
  })
  .strict();

export const eltFormatSchema = z
  .object({
    kind: z.enum(['csv', 'ndjson']),
    gzip: z.boolean(),
    delimiter: z.string().length(1),
    quote: z.string().length(1),
    newlinesInQuotes: z.boolean(),
  })
  .strict();

/** Column types a Cosmos DB load coerces values to (the JSON value per type: connectors/cosmos/documents.ts). */
export const cosmosColumnTypes = ['text', 'integer', 'bigint', 'numeric', 'double precision', 'boolean', 'date', 'timestamptz', 'jsonb'] as const;

/** A Cosmos DB container target and how rows become its documents (no staging: chunks write directly, guarded). */
export const eltCosmosTargetSchema = z
  .object({
    database: z.string().min(1),
    container: z.string().min(1),
    partitionKeyPath: z.string().regex(/^\/[A-Za-z0-9_]+$/),
    /** Check every chunk (nothing written) before writing, so a load past maxRejectRatio leaves the container unchanged. */
    validateBeforeWrite: z.boolean().optional(),
    shape: z
      .object({
        keyColumns: z.array(z.string().min(1)).min(1),
        partitionKeyField: z.string().regex(/^[A-Za-z0-9_]+$/),
        versionColumn: z.string().min(1),
        columns: z.record(z.string().min(1), z.enum(cosmosColumnTypes)),
      })
      .strict(),
  })
  .strict();

export type EltCosmosTarget = z.infer<typeof eltCosmosTargetSchema>;

/** What to load: one blob, or every blob under a prefix, of the landing container. */
export const eltSelectionSchema = z.union([
  /** `etag`: load exactly this version (the blob trigger's); without it, the version current when planning. */
  z.object({ blob: z.string().min(1), etag: z.string().min(1).optional() }).strict(),
  z.object({ prefix: z.string() }).strict(),
]);

export const eltLoadInputSchema = z
  .object({
    loadId: z.string().regex(/^[A-Za-z0-9_\-=][A-Za-z0-9_\-.=]{0,199}$/),
    pipeline: z.string().min(1),
    container: z.string().min(1),
    rejectsContainer: z.string().min(1),
    selection: eltSelectionSchema,
    format: eltFormatSchema,
    /** The PostgreSQL target; absent when the load writes to `cosmos`. */
    table: eltTableSchema.optional(),
    cosmos: eltCosmosTargetSchema.optional(),
    targetChunkBytes: z.number().int().positive(),
    maxRejectRatio: z.number().min(0).max(1),
    /** The pipeline's target semaphore; the load asks for `maxPermits` permits and accepts any number from 1. */
    target: z
      .object({
        name: z.string().regex(/^target:[^#\s]+$/),
        capacity: z.number().int().positive(),
        shards: z.number().int().positive(),
        leaseInMs: z.number().int().positive(),
      })
      .strict(),
    maxPermits: z.number().int().positive(),
    permitRecheckInMs: z.number().int().positive(),
    /** After a successful merge: one file per key of an aggregate in the outbox container (docs/elt.md "Export"). */
    export: eltExportSchema.optional(),
    /** Told about the load's success or failure (docs/elt.md "Notifications"). */
    notify: z.array(eltNotifyTargetSchema).optional(),
  })
  .strict()
  .refine((input) => (input.table === undefined) !== (input.cosmos === undefined), { message: 'expected exactly one of "table" (PostgreSQL) and "cosmos"', path: ['table'] });

export type EltLoadInput = z.infer<typeof eltLoadInputSchema>;
export type EltTable = z.infer<typeof eltTableSchema>;
export type EltFormat = z.infer<typeof eltFormatSchema>;

/** One chunk of the plan: a byte range of one version (ETag) of a file, or the whole file (`range` null). */
export const eltChunkSchema = z
  .object({
    chunkIndex: z.number().int().nonnegative(),
    file: z.string().min(1),
    etag: z.string().min(1),
    gzip: z.boolean(),
    range: z.object({ start: z.number().int().nonnegative(), end: z.number().int().positive() }).strict().nullable(),
    headerRange: z.object({ start: z.number().int().nonnegative(), end: z.number().int().positive() }).strict().nullable(),
    /** Bytes of the file this chunk reads (as stored, so compressed for gzip): the status' bytes/s. */
    bytes: z.number().int().nonnegative(),
    /** Line number of the chunk's first line in its file, so reject lines are absolute; null: not counted when planning. */
    firstLine: z.number().int().positive().nullable(),
  })
  .strict();

export type EltChunk = z.infer<typeof eltChunkSchema>;

/** One landed file of a load, at the version (ETag) the load reads. */
export interface EltSource {
  file: string;
  etag: string;
  bytes: number;
}

export interface PlanLoadResult {
  chunks: EltChunk[];
  files: number;
  bytes: number;
  sources: EltSource[];
}

export interface LoadChunkResult {
  chunkIndex: number;
  rows: number;
  rejects: number;
  rejectsBlob: string | null;
}

export interface MergeLoadResult {
  candidates: number;
  inserted: number;
  updated: number;
  skippedByGuard: number;
}
