/**
 * zod schemas for what the semaphore entity receives from outside (operation inputs) and loads from storage
 * (its state). The compile-time checks below keep them identical to the TypeScript interfaces.
 */
import { z } from 'zod';
import type { AcquireRequest, SemaphoreState } from './types';

const owner = z.string().min(1, 'expected a non-empty owner id');
const lease = z.number().positive('expected a lease > 0 ms').finite();

export const acquireRequestSchema = z
  .object({
    owner,
    want: z.int().min(1, 'expected an integer >= 1'),
    min: z.int().min(1, 'expected an integer >= 1').optional(),
    leaseInMs: lease,
  })
  .strict();

export const semaphoreStateSchema = z
  .object({
    capacity: z.int().min(1),
    holders: z.record(z.string(), z.object({ permits: z.int().min(1), leaseExpiresAtMs: z.number() }).strict()),
    waiters: z.array(
      z
        .object({ owner, want: z.int().min(1), min: z.int().min(1), leaseInMs: lease, enqueuedAtMs: z.number() })
        .strict(),
    ),
  })
  .strict();

/** Fails to compile when a schema and its interface drift apart. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _AcquireRequestAligned = Assert<Same<z.infer<typeof acquireRequestSchema>, AcquireRequest>>;
type _SemaphoreStateAligned = Assert<Same<z.infer<typeof semaphoreStateSchema>, SemaphoreState>>;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 1;
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOnlyKeys = (v: Record<string, unknown>, count: number): boolean => Object.keys(v).length === count;

/**
 * The fast path of `semaphoreStateSchema`: true exactly when the schema would accept `value` (a property test
 * holds the two together). The semaphore entity checks its stored state on every operation and that state holds
 * every waiter, so with 10,000 waiters the zod parse alone cost ~5 ms per operation (bench/README.md, stream
 * sync); this loop costs a fraction of that. Callers run the schema only when this says no, for its message.
 */
export function isSemaphoreState(value: unknown): value is SemaphoreState {
  if (!isPlainObject(value) || !hasOnlyKeys(value, 3) || !isCount(value.capacity)) return false;
  const { holders, waiters } = value;
  if (!isPlainObject(holders) || !Array.isArray(waiters)) return false;
  for (const holder of Object.values(holders)) {
    if (!isPlainObject(holder) || !hasOnlyKeys(holder, 2) || !isCount(holder.permits) || !isFiniteNumber(holder.leaseExpiresAtMs)) return false;
  }
  for (const w of waiters as unknown[]) {
    if (!isPlainObject(w) || !hasOnlyKeys(w, 5)) return false;
    if (typeof w.owner !== 'string' || w.owner.length === 0 || !isCount(w.want) || !isCount(w.min)) return false;
    if (!isFiniteNumber(w.leaseInMs) || w.leaseInMs <= 0 || !isFiniteNumber(w.enqueuedAtMs)) return false;
  }
  return true;
}
