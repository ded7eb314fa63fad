/** A pipeline: which streams, from which source, into which target, under which semaphores and policy. */
import { z } from 'zod';
import { exportSchema } from './export';
import { objectName, positiveInt, sqlIdentifier } from './identifiers';
import { STREAM_PATTERN } from './patterns';
import { sourceSchema } from './source';
import { columnTypeSchema, targetSchema } from './target';

export const dataFormatSchema = z
  .object({
    kind: z.enum(['csv', 'ndjson']).default('ndjson').describe('Record format of landed and extracted data. Default: "ndjson".'),
    gzip: z.boolean().default(false).describe('Files are gzip-compressed (each loads as one chunk). Default: false.'),
    header: z.boolean().default(true).describe('CSV only: the first line names the columns. Default: true.'),
    delimiter: z.string().length(1, 'expected exactly one character').default(',').describe('CSV only: field delimiter. Default: ",".'),
    quote: z.string().length(1, 'expected exactly one character').default('"').describe('CSV only: quote character. Default: \'"\'.'),
    newlinesInQuotes: z
      .boolean()
      .default(true)
      .describe('CSV only: quoted fields may contain newlines. false lets the planner find chunk boundaries with small probes instead of a full scan. Default: true.'),
  })
  .strict();

export const pipelineSchema = z
  .object({
    name: objectName.describe('Pipeline name.'),
    streams: z
      .array(z.string().regex(STREAM_PATTERN, 'expected a stream pattern of letters, digits, "_", ".", ":", "-" and "*" wildcards'))
      .min(1, 'expected at least one stream pattern')
      .describe('Stream patterns this pipeline serves, e.g. ["UK_*"]; "*" matches any characters. The first pipeline that matches a stream serves it.'),
    source: sourceSchema,
    sourceSemaphore: objectName.optional().describe('Name of the "source" semaphore capping reads. Default: no cap.'),
    target: targetSchema,
    targetSemaphore: objectName.describe('Name of the "target" semaphore capping writes.'),
    keyColumns: z.array(sqlIdentifier).min(1, 'expected at least one key column').describe('Columns identifying a row (upsert key, coalescing key).'),
    versionColumn: sqlIdentifier
      .optional()
      .describe('Column whose greater value wins; an older row never overwrites a newer one. Default: none (the later write wins).'),
    columns: z
      .record(sqlIdentifier, columnTypeSchema)
      .default({})
      .describe('Column name -> type for coercion; columns not listed load as text. Default: {}.'),
    format: dataFormatSchema.prefault({}).describe('Format of landed data.'),
    policy: objectName.default('default').describe('Name of the stream policy. Default: "default" (built in unless you define one).'),
    export: exportSchema.optional(),
    notify: z.array(objectName).default([]).describe('Names of notification targets told about completed and failed loads. Default: [].'),
    maxRejectRatio: z
      .number()
      .min(0, 'expected a ratio between 0 and 1')
      .max(1, 'expected a ratio between 0 and 1')
      .default(0)
      .describe('A load fails when more than this share of rows is rejected. Default: 0 (any bad row fails it).'),
    targetChunkBytes: positiveInt('bytes').default(64 * 1024 * 1024).describe('Target size of one load chunk in bytes. Default: 67108864 (64 MiB).'),
    maxTargetPermits: positiveInt('permits').default(4).describe('Most target permits one load asks for (it runs with 1..k). Default: 4.'),
  })
  .strict();

export type PipelineConfig = z.output<typeof pipelineSchema>;
