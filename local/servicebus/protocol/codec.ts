/**
 * Wire encodings the SDK expects: lock tokens (delivery tags in .NET Guid byte order), .NET ticks for
 * session lock expiry, longs that may arrive as numbers or 8-byte buffers, the batch envelope
 * (message-format 0x80013700), and the broker annotations on every delivered or peeked message.
 */
import { message as amqpMessage, types, type Message } from 'rhea';
import type { IncomingMessage } from '../engine/entity';
import type { Delivered, MessageRecord } from '../engine/types';

export const BATCH_MESSAGE_FORMAT = 0x80013700;
/** rhea's typings give `decode` a looser Message type than the one `send` takes. */
export function decodeMessage(bytes: Buffer): Message {
  return amqpMessage.decode(bytes) as unknown as Message;
}

const TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000n;

/** .NET Guid byte order <-> RFC order: bytes 0-3, 4-5, 6-7 reversed (the operation is its own inverse). */
function reorderGuidBytes(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  out.subarray(0, 4).reverse();
  out.subarray(4, 6).reverse();
  out.subarray(6, 8).reverse();
  return out;
}

/** Engine lock tokens are RFC uuid hex; the delivery tag carries them in .NET byte order. */
export function lockTokenToDeliveryTag(lockToken: string): Buffer {
  return reorderGuidBytes(Buffer.from(lockToken, 'hex'));
}

export function deliveryTagToLockToken(tag: Buffer | string): string {
  return reorderGuidBytes(typeof tag === 'string' ? Buffer.from(tag) : tag).toString('hex');
}

/** `$management` lock tokens arrive as AMQP uuids (RFC order): a 16-byte buffer or a uuid string. */
export function uuidToLockToken(value: unknown): string {
  if (Buffer.isBuffer(value) && value.length === 16) return value.toString('hex');
  if (typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value)) return value.replaceAll('-', '').toLowerCase();
  throw new TypeError(`lock token ${String(value)} is not a uuid`);
}

export function lockTokenToUuid(lockToken: string): Buffer {
  return Buffer.from(lockToken, 'hex');
}

/** rhea decodes longs below 2^53 as numbers and larger ones as 8-byte big-endian buffers. */
export function longToNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (Buffer.isBuffer(value) && value.length === 8) return Number(value.readBigInt64BE(0));
  throw new TypeError(`expected a long, got ${String(value)}`);
}

export function wrapLong(n: number): ReturnType<typeof types.wrap_long> {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return types.wrap_long(b);
}

export function wrapLongArray(ns: readonly number[]): ReturnType<typeof types.wrap_array> {
  return types.wrap_array(ns.map((n) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(n));
    return b;
  }), 0x81, undefined);
}

/** `com.microsoft:locked-until-utc` link property: .NET ticks as an AMQP long. */
export function wrapTicks(unixMs: number): ReturnType<typeof types.wrap_long> {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(unixMs) * 10_000n + TICKS_AT_UNIX_EPOCH);
  return types.wrap_long(b);
}

function toIncoming(decoded: Message, encoded: Buffer | undefined): IncomingMessage {
  let amqp = encoded;
  if (decoded.message_id === undefined || decoded.message_id === null) {
    // The real broker assigns a message id; the SDK's lock renewer needs one.
    decoded.message_id = crypto.randomUUID().replaceAll('-', '');
    amqp = undefined;
  }
  const scheduled: unknown = decoded.message_annotations?.['x-opt-scheduled-enqueue-time'];
  return {
    amqp: amqp ?? amqpMessage.encode(decoded),
    messageId: String(decoded.message_id),
    sessionId: typeof decoded.group_id === 'string' ? decoded.group_id : undefined,
    timeToLiveInMs: typeof decoded.ttl === 'number' && decoded.ttl > 0 ? decoded.ttl : undefined,
    scheduledAtMs: scheduled instanceof Date ? scheduled.getTime() : typeof scheduled === 'number' ? scheduled : undefined,
  };
}

/** One transfer from a sender link: a plain message (format 0) or a batch envelope. */
export function decodeTransfer(format: number | undefined, payload: Message | Buffer): IncomingMessage[] {
  if (!format) return [toIncoming(payload as Message, undefined)];
  if (format !== BATCH_MESSAGE_FORMAT || !Buffer.isBuffer(payload)) {
    throw new TypeError(`message-format ${format} is not supported (only 0 and the batch envelope 0x80013700)`);
  }
  const envelope = decodeMessage(payload);
  const body = envelope.body as { content?: unknown; multiple?: boolean } | undefined;
  const sections = body?.multiple ? (body.content as Buffer[]) : body?.content !== undefined ? [body.content as Buffer] : [];
  return sections.map((bytes) => toIncoming(decodeMessage(bytes), bytes));
}

/** Decodes a message given to schedule-message (binary in a map). */
export function decodeEncoded(bytes: Buffer): IncomingMessage {
  return toIncoming(decodeMessage(bytes), bytes);
}

/** The stored message plus the broker's annotations and header, as the SDK reads them. */
export function toWireMessage(record: MessageRecord, lockedUntilMs: number | undefined): Message {
  const msg = decodeMessage(record.amqp);
  msg.delivery_count = record.deliveryCount;
  const annotations: Record<string, unknown> = {
    ...(msg.message_annotations ?? {}),
    'x-opt-sequence-number': wrapLong(record.sequenceNumber),
    'x-opt-enqueued-time': new Date(record.enqueuedAtMs),
  };
  if (lockedUntilMs !== undefined) annotations['x-opt-locked-until'] = new Date(lockedUntilMs);
  if (record.state === 'deferred') annotations['x-opt-message-state'] = 1;
  if (record.state === 'scheduled') annotations['x-opt-message-state'] = 2;
  if (record.enqueuedSequenceNumber !== undefined) annotations['x-opt-enqueue-sequence-number'] = wrapLong(record.enqueuedSequenceNumber);
  if (record.deadLetterSource !== undefined) annotations['x-opt-deadletter-source'] = record.deadLetterSource;
  msg.message_annotations = annotations;
  return msg;
}

/**
 * A peek-locked transfer also carries its lock token as delivery annotation `x-opt-lock-token` (a uuid, RFC
 * order), as Service Bus sends it: the Azure Functions host forwards the message bytes to SDK-type bindings,
 * whose extension libraries look for that annotation.
 */
export function encodeDelivered(d: Delivered): Buffer {
  const msg = toWireMessage(d.record, d.lockedUntilMs);
  if (d.lockToken !== undefined) msg.delivery_annotations = { 'x-opt-lock-token': types.wrap_uuid(Buffer.from(d.lockToken, 'hex')) };
  return amqpMessage.encode(msg);
}
