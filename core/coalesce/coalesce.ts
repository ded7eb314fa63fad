/**
 * Coalescing: many events of one stream become one window `(sinceMs, untilMs]` of work.
 *
 * - Time range: `sinceMs = min(watermark, every event window's sinceMs)` and `untilMs = max(watermark, every
 *   event's until)`. So a window always starts at or before the watermark (no gap after the previous window) and
 *   an explicit range older than the watermark (a replay, a late range) widens it instead of being lost.
 *   Point events (`occurredAtMs`) only move `untilMs`: their data is carried inline or by reference.
 * - Inline records are merged by key (the pipeline's key columns): for one key the record with the greatest
 *   version wins (`versionColumn`, see compareVersions); on equal or absent versions the later event wins.
 *   Records without a full key (a key column missing or null) are never merged away: they are kept as they are
 *   and the sink rejects them with a reason.
 * - Blob refs are listed in arrival order, duplicates (same url and etag) once.
 * - Plain notifications are counted: the window range tells the source what to read.
 */
import type { BlobRef, DataRecord, StreamEvent } from './event';
import { eventUntilMs } from './event';
import { SluiceError } from '../errors';

export interface CoalesceLimits {
  /** Most inline records (before merging) taken into one window. */
  maxRecordsPerWindow: number;
  /** Most blob refs taken into one window. */
  maxBlobRefsPerWindow: number;
  /** Most events taken into one window. */
  maxEventsPerWindow: number;
}

export interface MergeKeys {
  /** Columns identifying a row; empty means records are never merged. */
  keyColumns: string[];
  /** Column whose greater value wins when two records share a key. */
  versionColumn?: string;
}

export interface CoalescedWindow {
  /** Exclusive start; null = from the beginning (no watermark yet and no explicit range). */
  sinceMs: number | null;
  /** Inclusive end. */
  untilMs: number;
  records: DataRecord[];
  blobRefs: BlobRef[];
  notifications: number;
  /** Events coalesced into this window. */
  events: number;
  /** Inline records before merging. */
  recordsIn: number;
}

/**
 * How many events from the head of `events` go into the next window: as many as fit the limits, but at least
 * one (a single oversized event still has to be processed). 0 only for an empty list.
 */
export function countFitting(events: readonly StreamEvent[], limits: CoalesceLimits): number {
  let records = 0;
  let refs = 0;
  let count = 0;
  for (const event of events) {
    const nextRecords = records + (event.records?.length ?? 0);
    const nextRefs = refs + (event.blobRef === undefined ? 0 : 1);
    const fits = nextRecords <= limits.maxRecordsPerWindow && nextRefs <= limits.maxBlobRefsPerWindow && count < limits.maxEventsPerWindow;
    if (count > 0 && !fits) break;
    records = nextRecords;
    refs = nextRefs;
    count++;
  }
  return count;
}

/** Coalesces `events` (in arrival order) into one window starting at `watermarkMs`. */
export function coalesce(events: readonly StreamEvent[], watermarkMs: number | null, keys: MergeKeys): CoalescedWindow {
  const first = events[0];
  if (first === undefined) {
    throw new SluiceError('InvalidArgument', 'coalesce: got no events. To fix: call it with at least one event.');
  }
  let sinceMs = watermarkMs;
  let untilMs = watermarkMs ?? eventUntilMs(first);
  const merged = new Map<string, DataRecord>();
  const unkeyed: Array<{ order: number; record: DataRecord }> = [];
  const keyOrder = new Map<string, number>();
  const refs = new Map<string, BlobRef>();
  let notifications = 0;
  let recordsIn = 0;
  let order = 0;

  for (const event of events) {
    const until = eventUntilMs(event);
    untilMs = Math.max(untilMs, until);
    if (event.window !== undefined) sinceMs = sinceMs === null ? null : Math.min(sinceMs, event.window.sinceMs);
    if (event.blobRef !== undefined) {
      const id = JSON.stringify([event.blobRef.url, event.blobRef.etag ?? null]);
      if (!refs.has(id)) refs.set(id, event.blobRef);
    } else if (event.records !== undefined) {
      for (const record of event.records) {
        recordsIn++;
        const key = recordKey(record, keys.keyColumns);
        if (key === undefined) {
          unkeyed.push({ order: order++, record });
          continue;
        }
        const current = merged.get(key);
        if (current === undefined) keyOrder.set(key, order++);
        if (current === undefined || !olderThanCurrent(record, current, keys.versionColumn)) merged.set(key, record);
      }
    } else {
      notifications++;
    }
  }
  if (sinceMs === null && watermarkMs === null) sinceMs = explicitSince(events);

  const ordered = [
    ...[...merged.entries()].map(([key, record]) => ({ order: keyOrder.get(key)!, record })),
    ...unkeyed,
  ].sort((a, b) => a.order - b.order);
  return {
    sinceMs,
    untilMs,
    records: ordered.map((entry) => entry.record),
    blobRefs: [...refs.values()],
    notifications,
    events: events.length,
    recordsIn,
  };
}

/**
 * Orders two version values: numbers numerically, strings by code units (ISO-8601 UTC timestamps and
 * zero-padded counters order correctly), null/undefined below everything; mixed types compare as strings.
 */
export function compareVersions(a: unknown, b: unknown): number {
  const aMissing = a === null || a === undefined;
  const bMissing = b === null || b === undefined;
  if (aMissing || bMissing) return aMissing && bMissing ? 0 : aMissing ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  const as = typeof a === 'string' ? a : JSON.stringify(a);
  const bs = typeof b === 'string' ? b : JSON.stringify(b);
  return as === bs ? 0 : as < bs ? -1 : 1;
}

function olderThanCurrent(candidate: DataRecord, current: DataRecord, versionColumn: string | undefined): boolean {
  if (versionColumn === undefined) return false;
  return compareVersions(candidate[versionColumn], current[versionColumn]) < 0;
}

function recordKey(record: DataRecord, keyColumns: readonly string[]): string | undefined {
  if (keyColumns.length === 0) return undefined;
  const values: unknown[] = [];
  for (const column of keyColumns) {
    const value = record[column];
    if (value === null || value === undefined) return undefined;
    values.push(value);
  }
  return JSON.stringify(values);
}

/** Without a watermark, the window starts at the earliest explicit range start, or null if there is none. */
function explicitSince(events: readonly StreamEvent[]): number | null {
  let since: number | null = null;
  for (const event of events) {
    if (event.window !== undefined) since = since === null ? event.window.sinceMs : Math.min(since, event.window.sinceMs);
  }
  return since;
}
