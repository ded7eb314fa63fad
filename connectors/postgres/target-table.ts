/**
 * Connector-level description of a target table. The config layer (core/config) maps pipeline settings onto
 * this shape; the PostgreSQL sink validates it once here, so every identifier that reaches SQL has passed
 * the strict pattern in identifiers.ts.
 */
import { z } from 'zod';
import { identifierPattern } from './identifiers';

export const columnTypes = ['int', 'bigint', 'numeric', 'text', 'boolean', 'timestamptz', 'jsonb'] as const;
export type ColumnType = (typeof columnTypes)[number];

const identifier = z.string().regex(identifierPattern, {
  message: 'expected a lower-case SQL identifier: a letter or _, then letters, digits or _, at most 63 characters',
});

export const targetTableSchema = z
  .object({
    schema: identifier,
    table: identifier,
    /** Columns of the conflict key (a primary key on them is created with the table). */
    keyColumns: z.array(identifier).min(1),
    /** Column compared by the merge guard: a row is replaced only by a strictly greater version. */
    versionColumn: identifier,
    columns: z.array(z.object({ name: identifier, type: z.enum(columnTypes) })).min(1),
  })
  .superRefine((table, ctx) => {
    const names = table.columns.map((c) => c.name);
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', message: `column "${name}" is listed twice`, path: ['columns'] });
      seen.add(name);
    }
    for (const key of [...table.keyColumns, table.versionColumn]) {
      if (!seen.has(key)) ctx.addIssue({ code: 'custom', message: `"${key}" is not one of the columns`, path: ['columns'] });
    }
    if (table.keyColumns.includes(table.versionColumn)) {
      ctx.addIssue({ code: 'custom', message: 'the version column cannot be part of the key', path: ['versionColumn'] });
    }
  });

export type TargetTable = z.infer<typeof targetTableSchema>;
