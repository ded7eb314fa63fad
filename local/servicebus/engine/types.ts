/** Data the engine keeps per message and hands to the protocol layer. */

export type MessageState = 'active' | 'deferred' | 'scheduled';

/** One message in one entity (a queue or its dead-letter sub-queue). Persisted as is. */
export interface MessageRecord {
  /** Entity path, e.g. `orders` or `orders/$DeadLetterQueue`. */
  entity: string;
  sequenceNumber: number;
  messageId: string;
  sessionId: string | undefined;
  enqueuedAtMs: number;
  /** Absent: never expires. */
  expiresAtMs: number | undefined;
  /** Set while `state` is `scheduled`. */
  scheduledAtMs: number | undefined;
  state: MessageState;
  /** Failed deliveries so far (abandon, lock expiry): the AMQP header `delivery_count`. */
  deliveryCount: number;
  /** Sequence number in the source entity, for dead-lettered messages. */
  enqueuedSequenceNumber: number | undefined;
  deadLetterSource: string | undefined;
  /** The producer's encoded AMQP message, with broker edits (dead-letter reason, modified properties). */
  amqp: Buffer;
}

/** What a consumer gets: the record plus its lock (peek-lock) or none (receive-and-delete). */
export interface Delivered {
  record: MessageRecord;
  /** RFC-order uuid hex (32 chars) of the lock token; undefined in receive-and-delete. */
  lockToken: string | undefined;
  lockedUntilMs: number | undefined;
}

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';

/** A receiver link as the engine sees it: credit in, deliveries out. */
export interface Consumer {
  readonly id: string;
  readonly mode: ReceiveMode;
  /** For session entities: the session this consumer holds, set by the engine on accept. */
  sessionId: string | undefined;
  credit(): number;
  deliver(d: Delivered): void;
  /** The session lock expired: the protocol detaches the link with session-lock-lost. */
  sessionLockLost(): void;
}

export type Disposition =
  | { kind: 'complete' }
  | { kind: 'abandon'; propertiesToModify?: Record<string, unknown> }
  | { kind: 'defer'; propertiesToModify?: Record<string, unknown> }
  | { kind: 'deadLetter'; reason?: string; description?: string; propertiesToModify?: Record<string, unknown> };
