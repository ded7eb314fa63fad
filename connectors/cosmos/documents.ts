/**
 * Parsed rows to Cosmos DB documents (pure): each declared column is coerced to a JSON value, and the document id
 * is built from the key columns. Bad rows become a reason (a reject), never an exception.
 *
 * JSON values per column type: integer/bigint/numeric/double precision -> number (a bigint beyond 2^53 is refused:
 * JSON numbers would lose digits), boolean -> true/false, timestamptz -> ISO-8601 UTC with milliseconds
 * (`toISOString`, one fixed format, so the version guard may compare it as text), date -> `YYYY-MM-DD`,
 * jsonb -> the JSON value, text -> string. Undeclared fields keep the parsed value (strings from CSV).
 */
import { z } from 'zod';
import { coerceValue, type SourceMode } from '../postgres/coerce';
import type { SourceRecord } from '../records';

export const COSMOS_COLUMN_TYPES = ['text', 'integer', 'bigint', 'numeric', 'double precision', 'boolean', 'date', 'timestamptz', 'jsonb'] as const;

export const cosmosDocumentShapeSchema = z
  .object({
    /** Columns whose values make the document id (one column: its value; several: each URI-encoded, joined by "|"). */
    keyColumns: z.array(z.string().min(1)).min(1),
    /** Top-level document field holding the partition key (the container's path without the "/"). */
    partitionKeyField: z.string().regex(/^[A-Za-z0-9_]+$/),
    versionColumn: z.string().min(1),
    columns: z.record(z.string().min(1), z.enum(COSMOS_COLUMN_TYPES)),
  })
  .strict();

export type CosmosDocumentShape = z.infer<typeof cosmosDocumentShapeSchema>;
export type CosmosColumnType = (typeof COSMOS_COLUMN_TYPES)[number];

export type DocumentResult = { ok: true; record: SourceRecord } | { ok: false; reason: string };
type ValueResult = { ok: true; value: unknown } | { ok: false; reason: string };

const dateText = /^(\d{4})-(\d{2})-(\d{2})$/;

function toNumber(text: string, type: string): ValueResult {
  const value = Number(text);
  if (!Number.isFinite(value)) return { ok: false, reason: `${type} ${JSON.stringify(text)} is not a finite JSON number` };
  if ((type === 'bigint' || type === 'integer') && !Number.isSafeInteger(value)) {
    return { ok: false, reason: `${type} ${text} is beyond 2^53 and would lose digits as a JSON number` };
  }
  return { ok: true, value };
}

/** "2026-11-23 10:00:00+01" and "...+0100" become parseable ISO text before Date reads them. */
function isoUtc(text: string): string {
  const normalised = text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/([+-]\d{2})$/, '$1:00');
  return new Date(normalised).toISOString();
}

export function coerceJsonValue(value: unknown, type: CosmosColumnType, mode: SourceMode): ValueResult {
  if (value === null || value === undefined) return { ok: true, value: null };
  if (mode === 'text' && value === '' && type !== 'text') return { ok: true, value: null };
  switch (type) {
    case 'date': {
      const match = typeof value === 'string' ? dateText.exec(value.trim()) : null;
      const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
      if (!match || date === undefined || date.getUTCDate() !== Number(match[3]) || date.getUTCMonth() !== Number(match[2]) - 1) {
        return { ok: false, reason: `expected a date YYYY-MM-DD, got ${JSON.stringify(value)}` };
      }
      return { ok: true, value: match[0] };
    }
    case 'double precision': {
      const checked = coerceValue(value, 'numeric', mode);
      return checked.ok ? toNumber(checked.value!, type) : { ok: false, reason: checked.reason.replace('numeric', type) };
    }
    case 'integer':
    case 'bigint': {
      const checked = coerceValue(value, type === 'integer' ? 'int' : 'bigint', mode);
      return checked.ok ? toNumber(checked.value!, type) : checked;
    }
    case 'numeric': {
      const checked = coerceValue(value, 'numeric', mode);
      return checked.ok ? toNumber(checked.value!, type) : checked;
    }
    case 'boolean': {
      const checked = coerceValue(value, 'boolean', mode);
      return checked.ok ? { ok: true, value: checked.value === 't' } : checked;
    }
    case 'timestamptz': {
      const checked = coerceValue(value, 'timestamptz', mode);
      return checked.ok ? { ok: true, value: isoUtc(checked.value!) } : checked;
    }
    case 'jsonb': {
      if (mode === 'json') return { ok: true, value };
      const checked = coerceValue(value, 'jsonb', mode);
      return checked.ok ? { ok: true, value: JSON.parse(checked.value!) as unknown } : checked;
    }
    case 'text':
      return coerceValue(value, 'text', mode);
  }
}

function idOf(values: Record<string, unknown>, keyColumns: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const column of keyColumns) {
    const value = values[column];
    if (value === null || value === undefined || value === '') return undefined;
    parts.push(typeof value === 'string' ? value : JSON.stringify(value));
  }
  return parts.length === 1 ? parts[0] : parts.map(encodeURIComponent).join('|');
}

/** One parsed row to the document the guarded upsert writes (same line and raw text, so rejects keep their origin). */
export function toDocument(record: SourceRecord, shape: CosmosDocumentShape, mode: SourceMode): DocumentResult {
  const values: Record<string, unknown> = { ...record.values };
  for (const [column, type] of Object.entries(shape.columns)) {
    const result = coerceJsonValue(values[column], type, mode);
    if (!result.ok) return { ok: false, reason: `column "${column}": ${result.reason}` };
    values[column] = result.value;
  }
  const id = idOf(values, shape.keyColumns);
  if (id === undefined) return { ok: false, reason: `key column(s) ${shape.keyColumns.map((c) => `"${c}"`).join(', ')} cannot be empty` };
  if (values.id !== undefined && values.id !== id && !(shape.keyColumns.length === 1 && shape.keyColumns[0] === 'id')) {
    return { ok: false, reason: `field "id" (${JSON.stringify(values.id)}) differs from the document id built from the key columns (${JSON.stringify(id)})` };
  }
  if (values[shape.versionColumn] === null || values[shape.versionColumn] === undefined) {
    return { ok: false, reason: `column "${shape.versionColumn}": the version column cannot be empty` };
  }
  return { ok: true, record: { ...record, values: { ...values, id } } };
}
