/** A pipeline's optional export step after each load: an aggregate, one file per key, to the outbox container. */
import { z } from 'zod';
import { sqlIdentifier } from './identifiers';

const measureSchema = z
  .object({
    fn: z.enum(['count', 'sum', 'min', 'max', 'avg']).describe('Aggregate function.'),
    column: sqlIdentifier.optional().describe('Column aggregated; required except for "count" (count(*) without it).'),
    as: sqlIdentifier.describe('Name of the result column.'),
  })
  .strict();

export const exportSchema = z
  .object({
    partitionBy: sqlIdentifier.describe('Result column whose value picks the file: one file per distinct value, named <pipeline>/<loadId>/<value>.<format>.'),
    format: z.enum(['csv', 'ndjson']).default('csv').describe('File format. Default: "csv" (with a header line).'),
    query: z
      .string()
      .min(1)
      .refine((sql) => !sql.includes(';'), 'expected one SELECT without ";"')
      .optional()
      .describe('A SELECT over the target database, run read-only; its rows are ordered by partitionBy. Give query or aggregate.'),
    aggregate: z
      .object({
        groupBy: z.array(sqlIdentifier).min(1, 'expected at least one column').describe('Columns grouped by; must include partitionBy.'),
        measures: z.array(measureSchema).min(1, 'expected at least one measure').describe('Aggregates computed per group.'),
      })
      .strict()
      .optional()
      .describe("An aggregate of the pipeline's PostgreSQL target table. Give query or aggregate."),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if ((spec.query === undefined) === (spec.aggregate === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['query'], input: spec.query, message: 'expected exactly one of "query" and "aggregate"' });
    }
    if (spec.aggregate !== undefined && !spec.aggregate.groupBy.includes(spec.partitionBy)) {
      ctx.addIssue({ code: 'custom', path: ['aggregate', 'groupBy'], input: spec.aggregate.groupBy, message: `expected the partitionBy column "${spec.partitionBy}" among the groupBy columns` });
    }
    spec.aggregate?.measures.forEach((measure, i) => {
      if (measure.fn !== 'count' && measure.column === undefined) {
        ctx.addIssue({ code: 'custom', path: ['aggregate', 'measures', i, 'column'], input: measure, message: `expected a column for "${measure.fn}"` });
      }
    });
  })
  .describe('Export after each successful load: an aggregate written as one file per key to the outbox container. Default: none.');

export type ExportConfig = z.output<typeof exportSchema>;
