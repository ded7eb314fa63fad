/**
 * Pure semaphore state machine: leased permits, strict FIFO waiters, grants returned to the caller.
 *
 * Strict FIFO (head-of-line blocking): a waiter is granted only when everyone ahead of it was. A later small
 * request never overtakes an earlier big one, because otherwise a steady flow of 1-permit requests could starve
 * a k-permit load forever (it would never see k free permits at once). The price is idle permits while the
 * head waits for its `min`; `min < want` lets callers shrink that price.
 *
 * Every function returns a new state and never mutates its input.
 */
import { SluiceError } from '../errors';
import type {
  AcquireRequest,
  AcquireResult,
  Grant,
  OwnerStanding,
  ReapResult,
  SemaphoreState,
  SemaphoreTransition,
  SetCapacityResult,
} from './types';

export function createSemaphoreState(capacity: number): SemaphoreState {
  assertCapacity(capacity, 'createSemaphoreState');
  return { capacity, holders: {}, waiters: [] };
}

/** Permits currently held by all owners (may exceed capacity only after `setCapacity` lowered it). */
export function heldPermits(state: SemaphoreState): number {
  let held = 0;
  for (const holder of Object.values(state.holders)) held += holder.permits;
  return held;
}

/** Permits free right now; 0 while holders exceed a lowered capacity. */
export function availablePermits(state: SemaphoreState): number {
  return Math.max(0, state.capacity - heldPermits(state));
}

/**
 * Asks for between `min` and `want` permits. Granted at once when nobody waits and enough are free, else queued
 * at the tail. Idempotent per owner: an owner already holding (with a live lease) or waiting gets its current
 * standing back and the state is unchanged (use `renew` to extend a lease). A holder whose lease ended has lost
 * its permits and queues again.
 */
export function acquire(state: SemaphoreState, request: AcquireRequest, nowMs: number): AcquireResult {
  const min = request.min ?? request.want;
  assertOwner(request.owner, 'acquire');
  assertPositiveInt(request.want, 'want', 'acquire');
  assertPositiveInt(min, 'min', 'acquire');
  if (min > request.want) {
    throw invalid(`acquire: "min" (${min}) is greater than "want" (${request.want}) for owner "${request.owner}". To fix: pass 1 <= min <= want.`);
  }
  if (!(request.leaseInMs > 0) || !Number.isFinite(request.leaseInMs)) {
    throw invalid(`acquire: "leaseInMs" must be a positive finite number, got ${request.leaseInMs}. To fix: pass the lease length in ms.`);
  }
  if (min > state.capacity) {
    throw invalid(
      `acquire: owner "${request.owner}" needs at least ${min} permits but capacity is ${state.capacity}; it could never be granted. ` +
        'To fix: lower "min" or raise the semaphore capacity.',
    );
  }
  const existing = standing(state, request.owner);
  if (existing.kind === 'holding' && existing.leaseExpiresAtMs > nowMs) return { state, granted: [], outcome: existing };
  if (existing.kind === 'waiting') return { state, granted: [], outcome: { kind: 'waiting', position: existing.position } };

  // A holder whose lease ended has lost its permits (reap may take them any moment): it queues like a newcomer.
  const holders = { ...state.holders };
  delete holders[request.owner];
  const queued: SemaphoreState = {
    ...state,
    holders,
    waiters: [
      ...state.waiters,
      { owner: request.owner, want: request.want, min, leaseInMs: request.leaseInMs, enqueuedAtMs: nowMs },
    ],
  };
  const pumped = grantWaiters(queued, nowMs);
  const holder = pumped.state.holders[request.owner];
  const outcome: AcquireResult['outcome'] =
    holder !== undefined
      ? { kind: 'holding', permits: holder.permits, leaseExpiresAtMs: holder.leaseExpiresAtMs }
      : { kind: 'waiting', position: pumped.state.waiters.findIndex((w) => w.owner === request.owner) + 1 };
  return { ...pumped, outcome };
}

/** Gives back all permits of `owner` and grants waiters. Idempotent: releasing a non-holder changes nothing. */
export function release(state: SemaphoreState, owner: string, nowMs: number): SemaphoreTransition {
  if (!(owner in state.holders)) return { state, granted: [] };
  const holders = { ...state.holders };
  delete holders[owner];
  return grantWaiters({ ...state, holders }, nowMs);
}

/** Removes `owner` from the queue (it gave up waiting); waiters behind it may now be granted. Idempotent. */
export function cancel(state: SemaphoreState, owner: string, nowMs: number): SemaphoreTransition {
  const waiters = state.waiters.filter((w) => w.owner !== owner);
  if (waiters.length === state.waiters.length) return { state, granted: [] };
  return grantWaiters({ ...state, waiters }, nowMs);
}

/**
 * Extends the lease of a holder to `nowMs + leaseInMs`. Throws `PermitLeaseExpired` when the owner holds nothing
 * or its lease already ended: its permits are (or may at any moment be) reclaimed, so it must stop and re-acquire.
 */
export function renew(state: SemaphoreState, owner: string, leaseInMs: number, nowMs: number): SemaphoreTransition {
  const holder = state.holders[owner];
  if (holder === undefined || holder.leaseExpiresAtMs <= nowMs) {
    throw new SluiceError(
      'PermitLeaseExpired',
      `renew: owner "${owner}" holds no live permit (${holder === undefined ? 'not a holder' : `lease ended at ${holder.leaseExpiresAtMs}`}). ` +
        'To fix: stop the work done under this permit and acquire again; renew more often than the lease length.',
      { ids: { owner } },
    );
  }
  if (!(leaseInMs > 0) || !Number.isFinite(leaseInMs)) {
    throw invalid(`renew: "leaseInMs" must be a positive finite number, got ${leaseInMs}. To fix: pass the lease length in ms.`);
  }
  const holders = { ...state.holders, [owner]: { permits: holder.permits, leaseExpiresAtMs: nowMs + leaseInMs } };
  return { state: { ...state, holders }, granted: [] };
}

/**
 * Changes the capacity at run time. Raising it grants waiters at once; lowering it never revokes permits, it only
 * stops new grants until holders drop below the new capacity. Waiters whose `min` exceeds the new capacity are
 * removed and returned in `rejected`.
 */
export function setCapacity(state: SemaphoreState, capacity: number, nowMs: number): SetCapacityResult {
  assertCapacity(capacity, 'setCapacity');
  const rejected = state.waiters.filter((w) => w.min > capacity);
  const waiters = state.waiters.filter((w) => w.min <= capacity);
  return { ...grantWaiters({ ...state, capacity, waiters }, nowMs), rejected };
}

/** Reclaims the permits of every holder whose lease ended at or before `nowMs`, then grants waiters. */
export function reap(state: SemaphoreState, nowMs: number): ReapResult {
  const holders: SemaphoreState['holders'] = {};
  const reclaimed: ReapResult['reclaimed'] = [];
  for (const [owner, holder] of Object.entries(state.holders)) {
    if (holder.leaseExpiresAtMs <= nowMs) reclaimed.push({ owner, permits: holder.permits });
    else holders[owner] = holder;
  }
  if (reclaimed.length === 0) return { state, granted: [], reclaimed };
  return { ...grantWaiters({ ...state, holders }, nowMs), reclaimed };
}

/** Where `owner` stands: holding, waiting (with queue position and what blocks it), or unknown. */
export function standing(state: SemaphoreState, owner: string): OwnerStanding {
  const holder = state.holders[owner];
  if (holder !== undefined) return { kind: 'holding', permits: holder.permits, leaseExpiresAtMs: holder.leaseExpiresAtMs };
  let permitsAhead = 0;
  for (let i = 0; i < state.waiters.length; i++) {
    const waiter = state.waiters[i]!;
    if (waiter.owner === owner) {
      return { kind: 'waiting', position: i + 1, want: waiter.want, min: waiter.min, permitsAhead, available: availablePermits(state) };
    }
    permitsAhead += waiter.min;
  }
  return { kind: 'none' };
}

/** Earliest lease expiry among holders (when the reaper should next run), or undefined when nobody holds. */
export function nextLeaseExpiryMs(state: SemaphoreState): number | undefined {
  let next: number | undefined;
  for (const holder of Object.values(state.holders)) {
    if (next === undefined || holder.leaseExpiresAtMs < next) next = holder.leaseExpiresAtMs;
  }
  return next;
}

/** Grants from the head of the queue while the head's `min` fits in the free permits (strict FIFO). */
function grantWaiters(state: SemaphoreState, nowMs: number): SemaphoreTransition {
  let available = availablePermits(state);
  const granted: Grant[] = [];
  let index = 0;
  while (index < state.waiters.length) {
    const head = state.waiters[index]!;
    if (head.min > available) break;
    const permits = Math.min(head.want, available);
    available -= permits;
    granted.push({ owner: head.owner, permits, leaseExpiresAtMs: nowMs + head.leaseInMs });
    index++;
  }
  if (granted.length === 0) return { state, granted };
  const holders = { ...state.holders };
  for (const grant of granted) holders[grant.owner] = { permits: grant.permits, leaseExpiresAtMs: grant.leaseExpiresAtMs };
  return { state: { ...state, holders, waiters: state.waiters.slice(index) }, granted };
}

function assertCapacity(capacity: number, where: string): void {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw invalid(`${where}: capacity must be an integer >= 1, got ${capacity}. To fix: pass a whole number of permits.`);
  }
}

function assertPositiveInt(value: number, name: string, where: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw invalid(`${where}: "${name}" must be an integer >= 1, got ${value}. To fix: ask for a whole number of permits.`);
  }
}

function assertOwner(owner: string, where: string): void {
  if (typeof owner !== 'string' || owner.length === 0) {
    throw invalid(`${where}: "owner" must be a non-empty string. To fix: pass the orchestration instance id as owner.`);
  }
}

function invalid(message: string): SluiceError {
  return new SluiceError('InvalidArgument', message);
}
