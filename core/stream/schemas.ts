/**
 * zod schemas for what the stream entity receives (commit counts) and loads from storage (its state), tied to
 * the TypeScript interfaces by compile-time checks so they cannot drift.
 */
import { z } from 'zod';
import { streamEventSchema } from '../coalesce';
import type { CommitCounts, EventOrigin, StreamState } from './types';

const count = z.int().min(0, 'expected an integer >= 0');
const timeMs = z.number();

export const eventOriginSchema = z.object({
  correlationId: z.string().min(1).max(256),
  enqueuedAtMs: timeMs.nullable(),
  deliveryId: z.string().min(1).max(64).optional(),
}).strict();

export const commitCountsSchema = z.object({ rowsWritten: count, rowsRejected: count }).strict();

export const streamStateSchema = z
  .object({
    streamId: z.string().min(1),
    status: z.enum(['idle', 'running', 'suspended']),
    pending: z.array(z.object({ seq: z.int().min(1), appendedAtMs: timeMs, event: streamEventSchema, origin: eventOriginSchema.optional() }).strict()),
    nextEventSeq: z.int().min(1),
    committedEventSeq: count,
    watermarkMs: timeMs.nullable(),
    worker: z.object({ workerId: z.string().min(1), leaseExpiresAtMs: timeMs }).strict().nullable(),
    openWindow: z
      .object({
        windowId: z.string().min(1),
        seq: z.int().min(1),
        firstEventSeq: z.int().min(1),
        lastEventSeq: z.int().min(1),
        watermarkMs: timeMs.nullable(),
        catchUp: z.boolean(),
        attempts: z.int().min(1),
        firstTakenAtMs: timeMs,
      })
      .strict()
      .nullable(),
    nextWindowSeq: z.int().min(1),
    lastCommittedWindowSeq: count,
    consecutiveFailures: count,
    lastError: z.object({ message: z.string(), atMs: timeMs, windowId: z.string() }).strict().nullable(),
    suspension: z
      .object({
        reason: z.string(),
        atMs: timeMs,
        failedWindow: z
          .object({ windowId: z.string(), firstEventSeq: z.int().min(1), lastEventSeq: z.int().min(1), untilMs: timeMs })
          .strict()
          .nullable(),
      })
      .strict()
      .nullable(),
    catchUpNext: z.boolean(),
    // States stored before replays existed have no queue.
    replays: z.array(z.object({ replayId: z.string().min(1), windowSeq: z.int().min(1), requestedAtMs: timeMs }).strict()).default([]),
    // States stored before delivery dedup have no memory of delivery ids.
    recentDeliveryIds: z.array(z.string().min(1)).default([]),
    counters: z
      .object({
        eventsAppended: count,
        eventsCommitted: count,
        eventsDiscarded: count,
        windowsCommitted: count,
        rowsWritten: count,
        rowsRejected: count,
        failures: count,
        lastAppendAtMs: timeMs.nullable(),
        lastSuccessAtMs: timeMs.nullable(),
      })
      .strict(),
  })
  .strict();

/** Fails to compile when a schema and its interface drift apart. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _EventOriginAligned = Assert<Same<z.infer<typeof eventOriginSchema>, EventOrigin>>;
type _CommitCountsAligned = Assert<Same<z.infer<typeof commitCountsSchema>, CommitCounts>>;
type _StreamStateAligned = Assert<Same<z.infer<typeof streamStateSchema>, StreamState>>;
