/**
 * Per-column type coercion from source values into PostgreSQL COPY text lines. Pure, so a bad value becomes
 * a reject with its reason before it reaches COPY (one bad row never fails a whole chunk).
 *
 * Source modes: `text` (CSV: every value is a string; an empty field is NULL, except for text columns where it
 * is the empty string) and `json` (NDJSON: values keep their JSON types; a jsonb column stores the value itself).
 */
import type { ColumnType, TargetTable } from './target-table';

export type SourceMode = 'text' | 'json';

export type CoerceResult = { ok: true; value: string | null } | { ok: false; reason: string };

const int32 = { min: -2147483648n, max: 2147483647n };
const int64 = { min: -9223372036854775808n, max: 9223372036854775807n };
const integerText = /^[+-]?\d+$/;
const numericText = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const timestampText =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)$/;
const booleans: Record<string, boolean> = { true: true, t: true, yes: true, y: true, '1': true,
  false: false, f: false, no: false, n: false, '0': false };

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function integer(value: unknown, range: { min: bigint; max: bigint }, type: string): CoerceResult {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return { ok: false, reason: `expected ${type}, got ${describe(value)}` };
    text = String(value);
  } else if (typeof value === 'string' && integerText.test(value.trim())) {
    text = value.trim();
  } else {
    return { ok: false, reason: `expected ${type}, got ${describe(value)}` };
  }
  const big = BigInt(text);
  if (big < range.min || big > range.max) return { ok: false, reason: `${type} out of range: ${describe(value)}` };
  return { ok: true, value: big.toString() };
}

function timestamp(value: unknown): CoerceResult {
  const text = typeof value === 'string' ? value.trim() : undefined;
  const match = text === undefined ? null : timestampText.exec(text);
  if (!match || text === undefined) {
    return { ok: false, reason: `expected an ISO 8601 timestamp with a time zone (e.g. 2026-11-23T10:00:00Z), got ${describe(value)}` };
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  if (date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day! || hour! > 23 || minute! > 59 || second! > 59) {
    return { ok: false, reason: `not a valid date/time: ${describe(value)}` };
  }
  return { ok: true, value: text };
}

export function coerceValue(value: unknown, type: ColumnType, mode: SourceMode): CoerceResult {
  if (value === null || value === undefined) return { ok: true, value: null };
  if (mode === 'text' && value === '' && type !== 'text') return { ok: true, value: null };
  switch (type) {
    case 'int':
      return integer(value, int32, 'int');
    case 'bigint':
      return integer(value, int64, 'bigint');
    case 'numeric': {
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: String(value) };
      if (typeof value === 'string' && numericText.test(value.trim())) return { ok: true, value: value.trim() };
      return { ok: false, reason: `expected numeric, got ${describe(value)}` };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value: value ? 't' : 'f' };
      const parsed = typeof value === 'string' ? booleans[value.trim().toLowerCase()] : undefined;
      return parsed === undefined ? { ok: false, reason: `expected boolean, got ${describe(value)}` } : { ok: true, value: parsed ? 't' : 'f' };
    }
    case 'timestamptz':
      return timestamp(value);
    case 'jsonb': {
      if (mode === 'json') return { ok: true, value: JSON.stringify(value) };
      try {
        JSON.parse(value as string);
        return { ok: true, value: value as string };
      } catch {
        return { ok: false, reason: `expected JSON text, got ${describe(value)}` };
      }
    }
    case 'text': {
      const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
      if (text === undefined) return { ok: false, reason: `expected text, got ${describe(value)}` };
      if (text.includes('\u0000')) return { ok: false, reason: 'text contains a NUL character, which PostgreSQL cannot store' };
      return { ok: true, value: text };
    }
  }
}

/** Escapes one value for COPY text format; NULL is `\N`. */
export function copyTextField(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

export type RowResult = { ok: true; line: string } | { ok: false; reason: string };

/** One source record to one COPY text line (columns in table order), or the first reason it cannot load. */
export function coerceRow(record: Readonly<Record<string, unknown>>, table: TargetTable, mode: SourceMode): RowResult {
  const fields: string[] = [];
  for (const column of table.columns) {
    const result = coerceValue(record[column.name], column.type, mode);
    if (!result.ok) return { ok: false, reason: `column "${column.name}": ${result.reason}` };
    if (result.value === null && (column.name === table.versionColumn || table.keyColumns.includes(column.name))) {
      return { ok: false, reason: `column "${column.name}": a key or version column cannot be empty` };
    }
    fields.push(copyTextField(result.value));
  }
  return { ok: true, line: `${fields.join('\t')}\n` };
}
