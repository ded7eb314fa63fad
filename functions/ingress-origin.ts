/**
 * Correlation at the ingress (docs/telemetry.md "Correlation"): each Service Bus message of a batch gives its
 * events an origin, `correlationId` (the message's, else its `messageId`) and its enqueue time, read from the batch
 * trigger's metadata arrays (`CorrelationIdArray`, `MessageIdArray`, `EnqueuedTimeUtcArray`; camel-cased by the
 * Node library). The origin travels with the event through ingestBatch and the stream entity to the window.
 */
import type { EventOrigin } from '../core/stream';

function arrayOf(metadata: Record<string, unknown>, key: string, length: number): unknown[] {
  const value = metadata[key];
  const array = Array.isArray(value) ? value : [];
  return Array.from({ length }, (_, i) => array[i]);
}

function nonEmpty(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text.slice(0, 256);
}

/** One origin per message; a message with neither id gets `<fallbackId>#<index>` so it can still be traced. */
export function messageOrigins(metadata: Record<string, unknown>, length: number, fallbackId: string): EventOrigin[] {
  const correlationIds = arrayOf(metadata, 'correlationIdArray', length);
  const messageIds = arrayOf(metadata, 'messageIdArray', length);
  const enqueued = arrayOf(metadata, 'enqueuedTimeUtcArray', length);
  return Array.from({ length }, (_, i) => {
    const at = typeof enqueued[i] === 'string' ? Date.parse(enqueued[i] as string) : NaN;
    return {
      correlationId: nonEmpty(correlationIds[i]) ?? nonEmpty(messageIds[i]) ?? `${fallbackId}#${i}`,
      enqueuedAtMs: Number.isFinite(at) ? at : null,
    };
  });
}
