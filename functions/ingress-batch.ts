/**
 * The ingress's pure part: sorts one Service Bus session batch into valid events (in arrival order) and the
 * messages to dead-letter, each with a short reason code and a precise description, and names the
 * `ingestBatch` instance of the batch.
 */
import { streamEventSchema, type StreamEvent } from '../core/coalesce';
import { findPipeline, formatPath, type PipelineConfig, type SluiceConfig } from '../core/config';
import type { EventOrigin } from '../core/stream';

export interface IngressMessage {
  /** The message body: a parsed JSON value, or its text when it was not parsed yet. */
  body: unknown;
  messageId: string | null;
  /** Correlation of the message (functions/ingress-origin.ts). */
  origin?: EventOrigin;
}

/** The `deadLetterReason` of a refused message (its DLQ copy carries it). */
export type IngressRejectCode = 'NotJson' | 'InvalidBody' | 'SessionMismatch' | 'NoPipeline';

export interface IngressReject {
  /** Position of the message in the batch. */
  index: number;
  messageId: string | null;
  sessionId: string;
  code: IngressRejectCode;
  /** The `deadLetterErrorDescription`: what is wrong, where, and the fix. */
  description: string;
}

export interface SortedBatch {
  events: StreamEvent[];
  /** The origin of each event (same order); undefined unless every accepted message had one. */
  origins: EventOrigin[] | undefined;
  rejects: IngressReject[];
  /** The pipeline serving the session's stream; undefined when none does (then every message is a reject). */
  pipeline: PipelineConfig | undefined;
}

function parseBody(body: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (typeof body !== 'string') return { ok: true, value: body };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message}` };
  }
}

export function sortBatch(config: SluiceConfig, sessionId: string, messages: readonly IngressMessage[]): SortedBatch {
  const pipeline = findPipeline(config, sessionId);
  const events: StreamEvent[] = [];
  const origins: Array<EventOrigin | undefined> = [];
  const rejects: IngressReject[] = [];
  messages.forEach((message, index) => {
    const reject = (code: IngressRejectCode, description: string) => rejects.push({ index, messageId: message.messageId, sessionId, code, description });
    const body = parseBody(message.body);
    if (!body.ok) {
      reject('NotJson', `${body.reason}. To fix: send the event as a JSON object (contract: docs/ingress.md).`);
      return;
    }
    const parsed = streamEventSchema.safeParse(body.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      reject('InvalidBody', `invalid event at "${formatPath(issue?.path ?? [])}": ${issue?.message ?? 'invalid'}. To fix: follow the message contract in docs/ingress.md.`);
      return;
    }
    if (parsed.data.stream !== sessionId) {
      reject('SessionMismatch', `stream "${parsed.data.stream}" differs from the message's sessionId "${sessionId}" (they must be equal). To fix: send it with sessionId = its stream.`);
      return;
    }
    if (pipeline === undefined) {
      reject('NoPipeline', `no pipeline serves stream "${sessionId}" (no stream pattern matches it). To fix: add the stream to a pipeline's streams, then resubmit the message from the dead-letter queue.`);
      return;
    }
    events.push(parsed.data);
    origins.push(message.origin);
  });
  return { events, origins: origins.every((o) => o !== undefined) ? (origins as EventOrigin[]) : undefined, rejects, pipeline };
}

/**
 * The batch's `ingestBatch` instance id, from its first and last sequence numbers (else its first message id): the
 * same batch redelivered maps to the same instance and starts nothing, while a batch redelivered with other messages
 * (a longer or a shorter one) gets its own instance, so no message of it is settled without being appended. Events
 * appended twice that way are skipped by the stream entity (their delivery ids).
 */
export function ingestInstanceId(sessionId: string, batchKey: string): string {
  return `ingest:${sessionId}:${batchKey}`;
}
