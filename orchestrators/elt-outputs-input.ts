/**
 * Inputs and results of a load's outputs (docs/elt.md "Export" and "Notifications"): the export step after the
 * merge and the notification sent when the load ends. Validated on both sides with zod.
 */
import { z } from 'zod';
import { notificationTargetSchema, SQL_IDENTIFIER } from '../core/config';

const identifier = z.string().regex(SQL_IDENTIFIER);
const count = z.number().int().nonnegative();

export const exportMeasureFns = ['count', 'sum', 'min', 'max', 'avg'] as const;

/** Where the exported rows come from: the pipeline's SQL query, or an aggregate of the target table. */
export const eltExportSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('query'), sql: z.string().min(1) }).strict(),
  z
    .object({
      kind: z.literal('aggregate'),
      schema: identifier,
      table: identifier,
      groupBy: z.array(identifier).min(1),
      measures: z.array(z.object({ fn: z.enum(exportMeasureFns), column: identifier.optional(), as: identifier }).strict()).min(1),
    })
    .strict(),
]);

export const eltExportSchema = z
  .object({
    outboxContainer: z.string().min(1),
    format: z.enum(['csv', 'ndjson']),
    /** Result column whose value picks the file: one file per distinct value. */
    partitionBy: identifier,
    source: eltExportSourceSchema,
  })
  .strict();

export type EltExport = z.infer<typeof eltExportSchema>;
export type EltExportSource = z.infer<typeof eltExportSourceSchema>;

export const eltNotifyTargetSchema = notificationTargetSchema;

export interface ExportLoadResult {
  container: string;
  /** `<pipeline>/<loadId>/`: every file of this export, and nothing else, is under it. */
  prefix: string;
  files: number;
  rows: number;
  /** Blob written last, listing the files: its presence means the export is complete. */
  manifest: string;
}

/**
 * The notification contract (one message per load end, same body on Service Bus and webhooks).
 * `id` is stable per load and outcome, so receivers can drop duplicates of a retried delivery.
 */
export const loadNotificationSchema = z
  .object({
    id: z.string().min(1),
    type: z.enum(['Sluice.Load.Succeeded', 'Sluice.Load.Failed']),
    specVersion: z.literal(1),
    loadId: z.string().min(1),
    pipeline: z.string().min(1),
    outcome: z.enum(['succeeded', 'failed']),
    occurredAt: z.iso.datetime(),
    target: z.enum(['postgres', 'cosmos']),
    /** Chunks loaded so far and their rows and rejects (on failure: up to the failure). */
    progress: z.object({ chunksDone: count, chunksTotal: count, rows: count, rejects: count }).strict(),
    /** Success only (null on failure): files, bytes and what was written. */
    counts: z.object({ files: count, bytes: count, inserted: count, updated: count, skippedByGuard: count }).strict().nullable(),
    rejects: z.object({ container: z.string(), prefix: z.string() }).strict(),
    export: z.object({ container: z.string(), prefix: z.string(), files: z.number().int().nonnegative(), manifest: z.string() }).strict().nullable(),
    error: z.object({ message: z.string() }).strict().nullable(),
  })
  .strict();

export type LoadNotification = z.infer<typeof loadNotificationSchema>;

export interface NotificationDelivery {
  target: string;
  kind: 'serviceBusQueue' | 'webhook';
  delivered: boolean;
  /** Why it was not delivered (after the target's retries). */
  error?: string;
}
