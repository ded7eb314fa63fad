/**
 * Session locks of one session-enabled queue: at most one receiver holds a session; the lock lasts the
 * queue's lock duration, can be renewed, and on expiry the holder is told (its link is detached with
 * session-lock-lost) and the session's unsettled messages go back to the queue. `acceptNext` long-polls:
 * a waiter is served as soon as an unlocked session has a deliverable message, or fails with
 * `com.microsoft:timeout` when its own timeout elapses.
 */
import { errors, type ServiceBusEmulatorError } from '../errors';
import type { Clock, TimerHandle } from './clock';
import type { Consumer } from './types';
import type { MessageStore } from '../persistence/store';

export interface SessionHost {
  readonly path: string;
  readonly lockDurationInMs: number;
  readonly clock: Clock;
  readonly store: MessageStore;
  /** The unlocked session whose oldest deliverable message is oldest, if any. */
  nextAvailableSession(isLocked: (sessionId: string) => boolean): string | undefined;
  /** Puts the session's locked, unsettled messages back (delivery count + 1). */
  releaseSessionMessages(sessionId: string): void;
  pump(): void;
}

export interface AcceptedSession {
  sessionId: string;
  lockedUntilMs: number;
}

interface SessionLock {
  owner: Consumer;
  lockedUntilMs: number;
  timer: TimerHandle;
}

interface Waiter {
  consumer: Consumer;
  timer: TimerHandle;
  done: (result: AcceptedSession | ServiceBusEmulatorError) => void;
}

export class SessionTable {
  private readonly locks = new Map<string, SessionLock>();
  private readonly states = new Map<string, Buffer>();
  private waiters: Waiter[] = [];

  constructor(private readonly host: SessionHost) {}

  isLocked(sessionId: string): boolean {
    return this.locks.has(sessionId);
  }

  holder(sessionId: string): Consumer | undefined {
    return this.locks.get(sessionId)?.owner;
  }

  lockedUntil(sessionId: string): number | undefined {
    return this.locks.get(sessionId)?.lockedUntilMs;
  }

  /** `acceptSession(id)`: fails with session-cannot-be-locked when another receiver holds it. */
  accept(sessionId: string, consumer: Consumer): AcceptedSession {
    const now = this.host.clock.nowMs();
    if (this.locks.has(sessionId)) throw errors.sessionCannotBeLocked(this.host.path, sessionId, now);
    return this.lock(sessionId, consumer);
  }

  /** `acceptNextSession()`: returns a cancel function (the link closed while waiting). */
  acceptNext(consumer: Consumer, timeoutInMs: number, done: Waiter['done']): () => void {
    const sessionId = this.host.nextAvailableSession((s) => this.locks.has(s));
    if (sessionId !== undefined) {
      done(this.lock(sessionId, consumer));
      return () => {};
    }
    const waiter: Waiter = {
      consumer,
      done,
      timer: this.host.clock.setTimer(timeoutInMs, () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        done(errors.noSessionAvailable(this.host.path, this.host.clock.nowMs()));
      }),
    };
    this.waiters.push(waiter);
    return () => {
      waiter.timer.cancel();
      this.waiters = this.waiters.filter((w) => w !== waiter);
    };
  }

  /** Called whenever a message became deliverable or a session was released. */
  serveWaiters(): void {
    while (this.waiters.length > 0) {
      const sessionId = this.host.nextAvailableSession((s) => this.locks.has(s));
      if (sessionId === undefined) return;
      const waiter = this.waiters.shift() as Waiter;
      waiter.timer.cancel();
      waiter.done(this.lock(sessionId, waiter.consumer));
    }
  }

  /** The holder closed its link: the session is free again. */
  release(consumer: Consumer): void {
    this.waiters = this.waiters.filter((w) => {
      if (w.consumer === consumer) w.timer.cancel();
      return w.consumer !== consumer;
    });
    const sessionId = consumer.sessionId;
    if (sessionId === undefined) return;
    const lock = this.locks.get(sessionId);
    if (!lock || lock.owner !== consumer) return;
    lock.timer.cancel();
    this.locks.delete(sessionId);
    this.host.releaseSessionMessages(sessionId);
    this.serveWaiters();
  }

  renew(sessionId: string): number {
    const lock = this.requireLock(sessionId);
    lock.timer.cancel();
    lock.lockedUntilMs = this.host.clock.nowMs() + this.host.lockDurationInMs;
    lock.timer = this.host.clock.setTimer(this.host.lockDurationInMs, () => this.expire(sessionId, lock));
    return lock.lockedUntilMs;
  }

  getState(sessionId: string): Buffer | undefined {
    this.requireLock(sessionId);
    return this.states.get(sessionId);
  }

  setState(sessionId: string, state: Buffer | undefined): void {
    this.requireLock(sessionId);
    if (state === undefined) this.states.delete(sessionId);
    else this.states.set(sessionId, state);
    this.host.store.putSessionState(this.host.path, sessionId, state);
  }

  restoreState(sessionId: string, state: Buffer): void {
    this.states.set(sessionId, state);
  }

  sessionsWithState(): string[] {
    return [...this.states.keys()];
  }

  /** Throws session-lock-lost unless someone currently holds the session. */
  requireLock(sessionId: string): SessionLock {
    const lock = this.locks.get(sessionId);
    if (!lock) throw errors.sessionLockLost(this.host.path, sessionId, this.host.clock.nowMs());
    return lock;
  }

  stop(): void {
    for (const w of this.waiters) w.timer.cancel();
    this.waiters = [];
    for (const lock of this.locks.values()) lock.timer.cancel();
    this.locks.clear();
  }

  private lock(sessionId: string, consumer: Consumer): AcceptedSession {
    const lockedUntilMs = this.host.clock.nowMs() + this.host.lockDurationInMs;
    const lock: SessionLock = { owner: consumer, lockedUntilMs, timer: { cancel: () => {} } };
    lock.timer = this.host.clock.setTimer(this.host.lockDurationInMs, () => this.expire(sessionId, lock));
    this.locks.set(sessionId, lock);
    consumer.sessionId = sessionId;
    return { sessionId, lockedUntilMs };
  }

  private expire(sessionId: string, lock: SessionLock): void {
    if (this.locks.get(sessionId) !== lock) return;
    this.locks.delete(sessionId);
    this.host.releaseSessionMessages(sessionId);
    lock.owner.sessionLockLost();
    this.serveWaiters();
  }
}
