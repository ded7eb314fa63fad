/** Where a pipeline writes: a PostgreSQL table or a Cosmos DB container. */
import { z } from 'zod';
import { cosmosId, sqlIdentifier } from './identifiers';

const postgresTarget = z
  .object({
    kind: z.literal('postgres').describe('A PostgreSQL table (COPY into staging, then one upsert with the version guard).'),
    schema: sqlIdentifier.default('public').describe('Schema of the table. Default: "public".'),
    table: sqlIdentifier.describe('Target table.'),
  })
  .strict();

const cosmosTarget = z
  .object({
    kind: z.literal('cosmos').describe('A Cosmos DB container (bulk upsert guarded by the version column).'),
    database: cosmosId.describe('Database id.'),
    container: cosmosId.describe('Container id.'),
    partitionKeyPath: z
      .string()
      .regex(/^(\/[A-Za-z0-9_]+)+$/, 'expected a partition key path like "/id" or "/customer/id"')
      .default('/id')
      .describe('Partition key path of the container. Default: "/id".'),
    validateBeforeWrite: z
      .boolean()
      .default(true)
      .describe('ELT loads read and check every chunk before writing any document, so a load past maxRejectRatio leaves the container unchanged (the files are read twice). false writes in one pass: a failing load keeps the documents already written. Default: true.'),
  })
  .strict();

export const targetSchema = z
  .discriminatedUnion('kind', [postgresTarget, cosmosTarget])
  .describe('Where rows are written: "postgres" or "cosmos".');

export type TargetConfig = z.output<typeof targetSchema>;

export const COLUMN_TYPES = ['text', 'integer', 'bigint', 'numeric', 'double precision', 'boolean', 'date', 'timestamptz', 'jsonb'] as const;

export const columnTypeSchema = z.enum(COLUMN_TYPES).describe('Type the raw value is coerced to before loading.');
