/**
 * The event a producer sends for a stream: when (a point `occurredAtMs` or a range `window` (sinceMs, untilMs]) and
 * what (inline `records`, a `blobRef` to landed data, or neither: a plain change notification telling the worker
 * to read the source for that time range).
 */
import { z } from 'zod';
import { SluiceError } from '../errors';

export const dataRecordSchema = z
  .record(z.string(), z.unknown())
  .describe('One row as a JSON object: column name -> value.');

export const blobRefSchema = z
  .object({
    url: z.string().min(1).describe('URL of the blob holding the data (CSV or NDJSON, optionally gzip).'),
    etag: z.string().min(1).optional().describe('ETag of the blob version to read. Default: the current version.'),
  })
  .strict();

export const timeRangeSchema = z
  .object({
    sinceMs: z.number().int().nonnegative().describe('Exclusive start, epoch ms.'),
    untilMs: z.number().int().nonnegative().describe('Inclusive end, epoch ms.'),
  })
  .strict()
  .refine((r) => r.sinceMs <= r.untilMs, { message: 'sinceMs must be <= untilMs' });

export const streamEventSchema = z
  .object({
    stream: z.string().min(1).describe('Stream id, e.g. "UK_Account"; equals the Service Bus sessionId.'),
    occurredAtMs: z.number().int().nonnegative().optional().describe('When the change happened, epoch ms.'),
    window: timeRangeSchema.optional().describe('The time range (sinceMs, untilMs] the change covers.'),
    records: z.array(dataRecordSchema).optional().describe('Inline rows.'),
    blobRef: blobRefSchema.optional().describe('Reference to landed data.'),
  })
  .strict()
  .superRefine((event, ctx) => {
    if ((event.occurredAtMs === undefined) === (event.window === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of "occurredAtMs" or "window"', path: ['occurredAtMs'] });
    }
    if (event.records !== undefined && event.blobRef !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'set at most one of "records" or "blobRef"', path: ['records'] });
    }
  });

export type DataRecord = z.infer<typeof dataRecordSchema>;
export type BlobRef = z.infer<typeof blobRefSchema>;
export type TimeRange = z.infer<typeof timeRangeSchema>;
export type StreamEvent = z.infer<typeof streamEventSchema>;

/** Latest time an event speaks about. */
export function eventUntilMs(event: StreamEvent): number {
  const until = event.window !== undefined ? event.window.untilMs : event.occurredAtMs;
  if (until === undefined) {
    throw new SluiceError('MessageInvalid', `Event for stream "${event.stream}" has neither "occurredAtMs" nor "window". To fix: validate events with streamEventSchema before appending.`, { ids: { streamId: event.stream } });
  }
  return until;
}
