/**
 * The ingress's pure part: sorts one Service Bus session batch into valid events (in arrival order) and rejects
 * with their exact reason, and names the `ingestBatch` instance of the batch.
 */
import { streamEventSchema, type StreamEvent } from '../core/coalesce';
import { findPipeline, formatPath, type PipelineConfig, type SluiceConfig } from '../core/config';
import type { EventOrigin } from '../core/stream';

export interface IngressMessage {
  /** The trigger's value: a parsed JSON body, or its text when the worker did not parse it. */
  body: unknown;
  messageId: string | null;
  /** Correlation of the message (functions/ingress-origin.ts). */
  origin?: EventOrigin;
}

export interface IngressReject {
  messageId: string | null;
  sessionId: string;
  reason: string;
  /** The body as received (text), so the producer can see exactly what was refused. */
  raw: string;
}

export interface SortedBatch {
  events: StreamEvent[];
  /** The origin of each event (same order); undefined unless every accepted message had one. */
  origins: EventOrigin[] | undefined;
  rejects: IngressReject[];
  /** The pipeline serving the session's stream; undefined when none does (then every message is a reject). */
  pipeline: PipelineConfig | undefined;
}

function rawText(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body) ?? String(body);
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
  const reject = (message: IngressMessage, reason: string) => rejects.push({ messageId: message.messageId, sessionId, reason, raw: rawText(message.body) });
  for (const message of messages) {
    const body = parseBody(message.body);
    if (!body.ok) {
      reject(message, body.reason);
      continue;
    }
    const parsed = streamEventSchema.safeParse(body.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      reject(message, `invalid event at "${formatPath(issue?.path ?? [])}": ${issue?.message ?? 'invalid'}`);
      continue;
    }
    if (parsed.data.stream !== sessionId) {
      reject(message, `stream "${parsed.data.stream}" differs from the message's sessionId "${sessionId}" (they must be equal)`);
      continue;
    }
    if (pipeline === undefined) {
      reject(message, `no pipeline serves stream "${sessionId}" (no stream pattern matches it)`);
      continue;
    }
    events.push(parsed.data);
    origins.push(message.origin);
  }
  return { events, origins: origins.every((o) => o !== undefined) ? (origins as EventOrigin[]) : undefined, rejects, pipeline };
}

/**
 * The batch's `ingestBatch` instance id, from its first message id: a redelivered batch maps to the same instance
 * and is not appended twice.
 */
export function ingestInstanceId(sessionId: string, firstMessageId: string): string {
  return `ingest:${sessionId}:${firstMessageId}`;
}

/** NDJSON body of the rejects blob: one `{ messageId, sessionId, reason, raw }` per line. */
export function rejectsNdjson(rejects: readonly IngressReject[]): string {
  return rejects.map((r) => `${JSON.stringify(r)}\n`).join('');
}
