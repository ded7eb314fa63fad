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
