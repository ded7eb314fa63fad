/**
 * One entity: a queue or its `$DeadLetterQueue`. Owns the messages (in sequence-number order), the ready
 * index (per session, oldest first), peek-locks, scheduled and expiry timers, and dispatch to consumers
 * with credit. Time comes from the injected clock; every change is written through to the store.
 */
import { errors } from '../errors';
import type { QueueConfig } from '../config';
import type { MessageStore } from '../persistence/store';
import { patchApplicationProperties } from './amqp-bytes';
import type { Clock, TimerHandle } from './clock';
import { SessionTable } from './sessions';
import type { Consumer, Delivered, Disposition, MessageRecord, ReceiveMode } from './types';

export interface IncomingMessage {
  amqp: Buffer;
  messageId: string;
  sessionId: string | undefined;
  timeToLiveInMs: number | undefined;
  scheduledAtMs: number | undefined;
}

interface Lock {
  token: string;
  sequenceNumber: number;
  lockedUntilMs: number;
  sessionId: string | undefined;
  timer: TimerHandle | undefined;
}

const NO_SESSION = '';

export class Entity {
  readonly sessions: SessionTable | undefined;
  readonly lockDurationInMs: number;
  deadLetter: Entity | undefined;
  private readonly messages = new Map<number, MessageRecord>();
  private readonly ready = new Map<string, number[]>();
  private readonly locks = new Map<string, Lock>();
  private readonly lockedSequenceNumbers = new Set<number>();
  private readonly timers = new Map<number, TimerHandle>();
  private consumers: Consumer[] = [];
  private lastSequenceNumber: number;
  private sizeInBytes = 0;
  private pumping = false;
  private pumpAgain = false;

  constructor(
    readonly path: string,
    private readonly config: QueueConfig,
    readonly clock: Clock,
    readonly store: MessageStore,
    lastSequenceNumber: number,
  ) {
    this.lockDurationInMs = config.lockDurationInMs;
    this.lastSequenceNumber = lastSequenceNumber;
    this.sessions = config.requiresSession ? new SessionTable(this) : undefined;
  }

  get requiresSession(): boolean {
    return this.sessions !== undefined;
  }

  /** Puts back what the store held at start (records arrive in sequence order). */
  restore(record: MessageRecord): void {
    this.messages.set(record.sequenceNumber, record);
    this.sizeInBytes += record.amqp.length;
    this.index(record);
  }

  enqueue(msg: IncomingMessage): number {
    const now = this.clock.nowMs();
    if (this.requiresSession && msg.sessionId === undefined) {
      throw errors.badRequest(`The SessionId was not set on a message, and it cannot be sent to the entity '${this.path}'. Entities that have session support enabled can only receive messages that have the SessionId set.`, now);
    }
    if (this.sizeInBytes + msg.amqp.length > this.config.maxSizeInMegabytes * 1024 * 1024) {
      throw errors.quotaExceeded(this.path, this.config.maxSizeInMegabytes, now);
    }
    const ttls = [msg.timeToLiveInMs, this.config.defaultMessageTimeToLiveInMs].filter((t): t is number => t !== undefined);
    const scheduled = msg.scheduledAtMs !== undefined && msg.scheduledAtMs > now;
    const enqueuedAtMs = scheduled ? (msg.scheduledAtMs as number) : now;
    return this.insert({
      entity: this.path,
      sequenceNumber: 0,
      messageId: msg.messageId,
      sessionId: msg.sessionId,
      enqueuedAtMs,
      expiresAtMs: ttls.length > 0 ? enqueuedAtMs + Math.min(...ttls) : undefined,
      scheduledAtMs: scheduled ? msg.scheduledAtMs : undefined,
      state: scheduled ? 'scheduled' : 'active',
      deliveryCount: 0,
      enqueuedSequenceNumber: undefined,
      deadLetterSource: undefined,
      amqp: msg.amqp,
    });
  }

  cancelScheduled(sequenceNumbers: readonly number[]): void {
    for (const seq of sequenceNumbers) {
      const record = this.messages.get(seq);
      if (!record || record.state !== 'scheduled') {
        throw errors.messageNotFound(this.path, `scheduled message with sequence number ${seq}`, this.clock.nowMs());
      }
    }
    for (const seq of sequenceNumbers) this.remove(seq);
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.push(consumer);
  }

  /** The link closed. Non-session peek-locks stay until they expire (settle via $management still works). */
  removeConsumer(consumer: Consumer): void {
    this.consumers = this.consumers.filter((c) => c !== consumer);
    this.sessions?.release(consumer);
  }

  /** Hands ready messages to consumers with credit, one per consumer per round (fair among receivers). */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        let progressed = true;
        while (progressed) {
          progressed = false;
          for (const consumer of [...this.consumers]) {
            if (consumer.credit() <= 0) continue;
            const key = this.requiresSession ? consumer.sessionId : NO_SESSION;
            if (key === undefined || (this.sessions && this.sessions.holder(key) !== consumer)) continue;
            const record = this.takeReady(key);
            if (!record) continue;
            consumer.deliver(this.lockFor(record, consumer.mode));
            progressed = true;
          }
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /** `consumer` is given for link settlement: on a session entity it must still hold the session. */
  settle(lockToken: string, disposition: Disposition, sessionId: string | undefined, consumer?: Consumer): void {
    const now = this.clock.nowMs();
    if (sessionId !== undefined && this.sessions) {
      const lock = this.sessions.requireLock(sessionId);
      if (consumer && lock.owner !== consumer) throw errors.sessionLockLost(this.path, sessionId, now);
    }
    const lock = this.locks.get(lockToken);
    if (!lock) throw errors.messageLockLost(this.path, now);
    if (lock.sessionId !== undefined && this.sessions) this.sessions.requireLock(lock.sessionId);
    else if (lock.lockedUntilMs <= now) throw errors.messageLockLost(this.path, now);
    this.unlock(lock);
    const record = this.messages.get(lock.sequenceNumber) as MessageRecord;
    switch (disposition.kind) {
      case 'complete':
        this.remove(record.sequenceNumber);
        return;
      case 'abandon':
        this.edit(record, disposition.propertiesToModify ?? {});
        this.failedDelivery(record);
        return;
      case 'defer':
        this.edit(record, disposition.propertiesToModify ?? {});
        record.state = 'deferred';
        this.store.putMessage(record);
        return;
      case 'deadLetter':
        this.moveToDeadLetter(record, {
          ...(disposition.propertiesToModify ?? {}),
          ...(disposition.reason !== undefined ? { DeadLetterReason: disposition.reason } : {}),
          ...(disposition.description !== undefined ? { DeadLetterErrorDescription: disposition.description } : {}),
        });
        return;
    }
  }

  /** renew-lock: returns the new expiry per token. */
  renewLock(lockToken: string): number {
    const now = this.clock.nowMs();
    const lock = this.locks.get(lockToken);
    if (!lock || (lock.sessionId === undefined && lock.lockedUntilMs <= now)) throw errors.messageLockLost(this.path, now);
    if (lock.sessionId !== undefined && this.sessions) return this.sessions.requireLock(lock.sessionId).lockedUntilMs;
    lock.timer?.cancel();
    lock.lockedUntilMs = now + this.lockDurationInMs;
    lock.timer = this.clock.setTimer(this.lockDurationInMs, () => this.lockExpired(lock));
    return lock.lockedUntilMs;
  }

  /** Messages from `fromSequenceNumber` on, in order, in every state (as the service peeks). */
  peek(fromSequenceNumber: number, count: number, sessionId: string | undefined): MessageRecord[] {
    const out: MessageRecord[] = [];
    for (const record of this.messages.values()) {
      if (out.length >= count) break;
      if (record.sequenceNumber < fromSequenceNumber) continue;
      if (sessionId !== undefined && record.sessionId !== sessionId) continue;
      out.push(record);
    }
    return out;
  }

  /** receive-by-sequence-number: deferred messages only, locked (peekLock) or removed (receiveAndDelete). */
  receiveDeferred(sequenceNumbers: readonly number[], mode: ReceiveMode, sessionId: string | undefined): Delivered[] {
    const now = this.clock.nowMs();
    if (sessionId !== undefined && this.sessions) this.sessions.requireLock(sessionId);
    const records = sequenceNumbers.map((seq) => {
      const record = this.messages.get(seq);
      if (!record || record.state !== 'deferred' || this.lockedSequenceNumbers.has(seq) || (sessionId !== undefined && record.sessionId !== sessionId)) {
        throw errors.messageNotFound(this.path, `deferred message with sequence number ${seq}`, now);
      }
      return record;
    });
    return records.map((record) => this.lockFor(record, mode));
  }

  /** Session ids that hold messages or state, for get-message-sessions. */
  activeSessionIds(): string[] {
    const ids = new Set<string>();
    for (const record of this.messages.values()) if (record.sessionId !== undefined) ids.add(record.sessionId);
    for (const id of this.sessions?.sessionsWithState() ?? []) ids.add(id);
    return [...ids];
  }

  messageCount(): number {
    return this.messages.size;
  }

  stop(): void {
    for (const t of this.timers.values()) t.cancel();
    for (const l of this.locks.values()) l.timer?.cancel();
    this.sessions?.stop();
  }

  // SessionHost ------------------------------------------------------------------------------------

  nextAvailableSession(isLocked: (sessionId: string) => boolean): string | undefined {
    let best: { sessionId: string; head: number } | undefined;
    for (const [sessionId, list] of this.ready) {
      if (isLocked(sessionId)) continue;
      this.dropExpiredHeads(sessionId, list);
      const head = list[0];
      if (head !== undefined && (!best || head < best.head)) best = { sessionId, head };
    }
    return best?.sessionId;
  }

  releaseSessionMessages(sessionId: string): void {
    for (const lock of [...this.locks.values()]) {
      if (lock.sessionId !== sessionId) continue;
      this.unlock(lock);
      this.failedDelivery(this.messages.get(lock.sequenceNumber) as MessageRecord);
    }
  }

  // internals ---------------------------------------------------------------------------------------

  private insert(record: MessageRecord): number {
    record.sequenceNumber = ++this.lastSequenceNumber;
    this.store.putSequence(this.path, this.lastSequenceNumber);
    this.messages.set(record.sequenceNumber, record);
    this.sizeInBytes += record.amqp.length;
    this.store.putMessage(record);
    this.index(record);
    return record.sequenceNumber;
  }

  private index(record: MessageRecord): void {
    if (record.state === 'scheduled' && record.scheduledAtMs !== undefined) {
      const seq = record.sequenceNumber;
      this.timers.set(seq, this.clock.setTimer(record.scheduledAtMs - this.clock.nowMs(), () => this.activate(seq)));
      return;
    }
    if (record.expiresAtMs !== undefined) {
      const seq = record.sequenceNumber;
      this.timers.set(seq, this.clock.setTimer(record.expiresAtMs - this.clock.nowMs(), () => this.expireIfIdle(seq)));
    }
    if (record.state === 'active') this.makeReady(record);
  }

  private activate(seq: number): void {
    const record = this.messages.get(seq);
    this.timers.delete(seq);
    if (!record || record.state !== 'scheduled') return;
    record.state = 'active';
    record.scheduledAtMs = undefined;
    this.store.putMessage(record);
    this.index(record);
  }

  private makeReady(record: MessageRecord): void {
    if (record.expiresAtMs !== undefined && record.expiresAtMs <= this.clock.nowMs()) {
      this.expire(record);
      return;
    }
    const key = this.requiresSession ? (record.sessionId ?? NO_SESSION) : NO_SESSION;
    const list = this.ready.get(key) ?? [];
    let i = list.length;
    while (i > 0 && (list[i - 1] as number) > record.sequenceNumber) i--;
    list.splice(i, 0, record.sequenceNumber);
    this.ready.set(key, list);
    this.sessions?.serveWaiters();
    this.pump();
  }

  private takeReady(key: string): MessageRecord | undefined {
    const list = this.ready.get(key);
    if (!list) return undefined;
    this.dropExpiredHeads(key, list);
    const seq = list.shift();
    if (list.length === 0) this.ready.delete(key);
    return seq === undefined ? undefined : this.messages.get(seq);
  }

  private dropExpiredHeads(key: string, list: number[]): void {
    const now = this.clock.nowMs();
    while (list.length > 0) {
      const record = this.messages.get(list[0] as number);
      if (record && (record.expiresAtMs === undefined || record.expiresAtMs > now)) return;
      list.shift();
      if (record) this.expire(record);
    }
    if (list.length === 0) this.ready.delete(key);
  }

  private removeFromReady(record: MessageRecord): void {
    const key = this.requiresSession ? (record.sessionId ?? NO_SESSION) : NO_SESSION;
    const list = this.ready.get(key);
    if (!list) return;
    const i = list.indexOf(record.sequenceNumber);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.ready.delete(key);
  }

  private lockFor(record: MessageRecord, mode: ReceiveMode): Delivered {
    if (mode === 'receiveAndDelete') {
      this.remove(record.sequenceNumber);
      return { record, lockToken: undefined, lockedUntilMs: undefined };
    }
    const sessionId = this.requiresSession ? record.sessionId : undefined;
    const sessionUntil = sessionId !== undefined ? this.sessions?.lockedUntil(sessionId) : undefined;
    const lock: Lock = {
      token: crypto.randomUUID().replaceAll('-', ''),
      sequenceNumber: record.sequenceNumber,
      lockedUntilMs: sessionUntil ?? this.clock.nowMs() + this.lockDurationInMs,
      sessionId,
      timer: undefined,
    };
    if (sessionUntil === undefined) lock.timer = this.clock.setTimer(this.lockDurationInMs, () => this.lockExpired(lock));
    this.locks.set(lock.token, lock);
    this.lockedSequenceNumbers.add(lock.sequenceNumber);
    return { record, lockToken: lock.token, lockedUntilMs: lock.lockedUntilMs };
  }

  private unlock(lock: Lock): void {
    lock.timer?.cancel();
    this.locks.delete(lock.token);
    this.lockedSequenceNumbers.delete(lock.sequenceNumber);
  }

  private lockExpired(lock: Lock): void {
    if (this.locks.get(lock.token) !== lock) return;
    this.unlock(lock);
    const record = this.messages.get(lock.sequenceNumber);
    if (record) this.failedDelivery(record);
  }

  /** Abandon, lock expiry, session lost: count it, dead-letter at the limit, else deliver again. */
  private failedDelivery(record: MessageRecord): void {
    record.deliveryCount++;
    if (record.deliveryCount >= this.config.maxDeliveryCount && this.deadLetter) {
      this.moveToDeadLetter(record, {
        DeadLetterReason: 'MaxDeliveryCountExceeded',
        DeadLetterErrorDescription: `Message could not be consumed after ${this.config.maxDeliveryCount} delivery attempts.`,
      });
      return;
    }
    this.store.putMessage(record);
    if (record.state === 'active') this.makeReady(record);
  }

  private expireIfIdle(seq: number): void {
    this.timers.delete(seq);
    const record = this.messages.get(seq);
    if (!record || record.state !== 'active') return;
    if (this.lockedSequenceNumbers.has(seq)) return;
    this.removeFromReady(record);
    this.expire(record);
  }

  private expire(record: MessageRecord): void {
    if (this.config.deadLetteringOnMessageExpiration && this.deadLetter) {
      this.moveToDeadLetter(record, {
        DeadLetterReason: 'TTLExpiredException',
        DeadLetterErrorDescription: 'The message expired and was dead lettered.',
      });
    } else {
      this.remove(record.sequenceNumber);
    }
  }

  private moveToDeadLetter(record: MessageRecord, properties: Record<string, unknown>): void {
    const target = this.deadLetter;
    if (!target) throw errors.notSupported('dead-lettering from a dead-letter queue', 'complete the message instead.');
    this.remove(record.sequenceNumber);
    target.insert({
      ...record,
      entity: target.path,
      state: 'active',
      expiresAtMs: undefined,
      scheduledAtMs: undefined,
      enqueuedSequenceNumber: record.sequenceNumber,
      deadLetterSource: this.path,
      amqp: patchApplicationProperties(record.amqp, properties),
    });
  }

  private edit(record: MessageRecord, properties: Record<string, unknown>): void {
    const before = record.amqp.length;
    record.amqp = patchApplicationProperties(record.amqp, properties);
    this.sizeInBytes += record.amqp.length - before;
  }

  private remove(seq: number): void {
    const record = this.messages.get(seq);
    if (!record) return;
    this.timers.get(seq)?.cancel();
    this.timers.delete(seq);
    this.removeFromReady(record);
    this.messages.delete(seq);
    this.sizeInBytes -= record.amqp.length;
    this.store.deleteMessage(this.path, seq);
  }
}
