/**
 * Correlation at the ingress (docs/telemetry.md "Correlation"): each Service Bus message of a batch gives its
 * events an origin, `correlationId` (the message's, else its `messageId`), its enqueue time and its delivery id
 * (the broker's sequence number, by which the stream entity skips a message appended before), read from the
 * received messages of the SDK-type binding. The origin travels with the event through ingestBatch and the stream
 * entity to the window.
 */
import type { EventOrigin } from '../core/stream';

/** The fields of a received Service Bus message the origin is made of. */
export interface OriginFields {
  correlationId?: unknown;
  messageId?: unknown;
  enqueuedTimeUtc?: unknown;
  /** A number, or a `Long` as the SDK decodes AMQP longs. */
  sequenceNumber?: unknown;
}

function nonEmpty(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text.slice(0, 256);
}

function epochMs(value: unknown): number | null {
  const at = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(at) ? at : null;
}

/** The sequence number as decimal text, or undefined when the message has none. */
export function sequenceNumberText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  return /^\d{1,20}$/.test(text) ? text : undefined;
}

/** One origin per message; a message with neither id gets `<fallbackId>#<index>` so it can still be traced. */
export function messageOrigins(messages: readonly OriginFields[], fallbackId: string): EventOrigin[] {
  return messages.map((message, i) => {
    const deliveryId = sequenceNumberText(message.sequenceNumber);
    return {
      correlationId: nonEmpty(message.correlationId) ?? nonEmpty(message.messageId) ?? `${fallbackId}#${i}`,
      enqueuedAtMs: epochMs(message.enqueuedTimeUtc),
      ...(deliveryId === undefined ? {} : { deliveryId }),
    };
  });
}
