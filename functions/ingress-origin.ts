/**
 * Correlation at the ingress (docs/telemetry.md "Correlation"): each Service Bus message of a batch gives its
 * events an origin, `correlationId` (the message's, else its `messageId`) and its enqueue time, read from the
 * received messages of the SDK-type binding. The origin travels with the event through ingestBatch and the stream
 * entity to the window.
 */
import type { EventOrigin } from '../core/stream';

/** The fields of a received Service Bus message the origin is made of. */
export interface OriginFields {
  correlationId?: unknown;
  messageId?: unknown;
  enqueuedTimeUtc?: unknown;
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

/** One origin per message; a message with neither id gets `<fallbackId>#<index>` so it can still be traced. */
export function messageOrigins(messages: readonly OriginFields[], fallbackId: string): EventOrigin[] {
  return messages.map((message, i) => ({
    correlationId: nonEmpty(message.correlationId) ?? nonEmpty(message.messageId) ?? `${fallbackId}#${i}`,
    enqueuedAtMs: epochMs(message.enqueuedTimeUtc),
  }));
}
