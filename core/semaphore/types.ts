/**
 * Semaphore state: plain JSON (a Durable entity stores it as is). Time is always a parameter (`nowMs`).
 */

export interface SemaphoreHolder {
  /** Permits this owner holds (>= 1). */
  permits: number;
  /** Epoch ms after which the permits may be reclaimed by `reap`. */
  leaseExpiresAtMs: number;
}

export interface SemaphoreWaiter {
  owner: string;
  /** Permits wanted; a grant gives between `min` and `want`. */
  want: number;
  min: number;
  /** Lease length applied when the waiter is finally granted. */
  leaseInMs: number;
  enqueuedAtMs: number;
}

export interface SemaphoreState {
  /** Total permits (integer >= 1). May be lowered below the permits currently held. */
  capacity: number;
  /** owner -> holding. An owner appears at most once here and never both here and in `waiters`. */
  holders: Record<string, SemaphoreHolder>;
  /** FIFO queue: index 0 is the next owner to be granted. */
  waiters: SemaphoreWaiter[];
}

export interface Grant {
  owner: string;
  permits: number;
  leaseExpiresAtMs: number;
}

/** What every transition returns: the new state and the owners granted by it (the caller notifies them). */
export interface SemaphoreTransition {
  state: SemaphoreState;
  granted: Grant[];
}

export interface AcquireRequest {
  owner: string;
  /** Permits wanted (integer >= 1). */
  want: number;
  /** Fewest permits the owner can work with (1 <= min <= want). @default want */
  min?: number;
  /** Lease length in ms (> 0); renew before it ends. */
  leaseInMs: number;
}

export type AcquireOutcome =
  | { kind: 'holding'; permits: number; leaseExpiresAtMs: number }
  | { kind: 'waiting'; position: number };

export interface AcquireResult extends SemaphoreTransition {
  /** Where the requesting owner stands after the call (granted now, already holding, or queued). */
  outcome: AcquireOutcome;
}

export interface ReapResult extends SemaphoreTransition {
  /** Holders whose lease had expired; their permits went back to the pool. */
  reclaimed: Array<{ owner: string; permits: number }>;
}

export interface SetCapacityResult extends SemaphoreTransition {
  /**
   * Waiters removed because their `min` exceeds the new capacity: they could never be granted and, under strict
   * FIFO, would block everyone behind them. The caller tells them (they fail or retry with a smaller `min`).
   */
  rejected: SemaphoreWaiter[];
}

export type OwnerStanding =
  | { kind: 'holding'; permits: number; leaseExpiresAtMs: number }
  | {
      kind: 'waiting';
      /** 1-based queue position. */
      position: number;
      want: number;
      min: number;
      /** Sum of `min` of the waiters ahead: permits that must go to others first. */
      permitsAhead: number;
      /** Permits free right now (capacity - held, never negative). */
      available: number;
    }
  | { kind: 'none' };
