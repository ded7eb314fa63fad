/**
 * The operations of the `semaphore` entity: input schemas and a pure dispatcher over core/semaphore.
 *
 * Every operation that can grant permits returns `granted`: the owners (other than the caller of `acquire`) that
 * now hold permits and are waiting for a `PermitGranted` event. The caller must notify them (docs/semaphores.md).
 */
import { z } from 'zod';
import { SluiceError } from '../core/errors';
import {
  acquire,
  availablePermits,
  cancel,
  createSemaphoreState,
  heldPermits,
  nextLeaseExpiryMs,
  reap,
  release,
  renew,
  setCapacity,
  standing,
  type AcquireOutcome,
  type Grant,
  type OwnerStanding,
  type SemaphoreState,
} from '../core/semaphore';
import { parseInput, unknownOperation } from './operation';

export const semaphoreEntityName = 'semaphore';

/** `source:<name>` or `target:<name>`, with `#<shard>` when the semaphore is sharded (core/semaphore/sharding.ts). */
export const semaphoreKeyPattern = /^(source|target):[^#\s]+(#\d+)?$/;

const nowMs = z.number().int().nonnegative().describe('Current time, epoch ms.');
const owner = z.string().min(1).describe('Instance id of the orchestration that holds or waits.');
const leaseInMs = z.number().int().positive();
const capacity = z.number().int().positive();

export const semaphoreOperationSchemas = {
  acquire: z
    .object({
      owner,
      want: z.number().int().positive(),
      min: z.number().int().positive().optional(),
      leaseInMs,
      /** Capacity the semaphore starts with when this is its first operation (from config). */
      capacityIfNew: capacity,
      nowMs,
    })
    .strict(),
  release: z.object({ owner, nowMs }).strict(),
  renew: z.object({ owner, leaseInMs, nowMs }).strict(),
  setCapacity: z.object({ capacity, nowMs }).strict(),
  reap: z.object({ nowMs }).strict(),
  cancel: z.object({ owner, nowMs }).strict(),
  get: z.object({ owner: owner.optional() }).strict(),
} as const;

export type SemaphoreOperation = keyof typeof semaphoreOperationSchemas;
export type SemaphoreOperationInput<O extends SemaphoreOperation> = z.infer<(typeof semaphoreOperationSchemas)[O]>;

export interface SemaphoreView {
  capacity: number;
  held: number;
  available: number;
  holders: SemaphoreState['holders'];
  waiters: SemaphoreState['waiters'];
  /** Where `get({ owner })` stands; absent without an owner. */
  standing?: OwnerStanding;
}

export interface SemaphoreOperationResults {
  acquire: { outcome: AcquireOutcome; granted: Grant[] };
  release: { granted: Grant[] };
  renew: { leaseExpiresAtMs: number };
  setCapacity: { capacity: number; granted: Grant[]; rejected: string[] };
  reap: { granted: Grant[]; reclaimed: Array<{ owner: string; permits: number }>; nextLeaseExpiryMs: number | null };
  cancel: { granted: Grant[] };
  get: SemaphoreView;
}

const operations = Object.keys(semaphoreOperationSchemas) as SemaphoreOperation[];

function isOperation(name: string): name is SemaphoreOperation {
  return (operations as string[]).includes(name);
}

type Handler<O extends SemaphoreOperation> = (
  state: SemaphoreState | undefined,
  input: SemaphoreOperationInput<O>,
  missing: () => never,
) => { state: SemaphoreState | undefined; value: SemaphoreOperationResults[O] };

/** One handler per operation; the mapped type ties each reply to what callers read (SemaphoreOperationResults). */
const handlers: { [O in SemaphoreOperation]: Handler<O> } = {
  acquire: (state, input) => {
    const current = state ?? createSemaphoreState(input.capacityIfNew);
    const request = { owner: input.owner, want: input.want, leaseInMs: input.leaseInMs, ...(input.min === undefined ? {} : { min: input.min }) };
    const result = acquire(current, request, input.nowMs);
    return { state: result.state, value: { outcome: result.outcome, granted: result.granted.filter((g) => g.owner !== input.owner) } };
  },
  release: (state, input) => {
    if (state === undefined) return { state, value: { granted: [] } };
    const result = release(state, input.owner, input.nowMs);
    return { state: result.state, value: { granted: result.granted } };
  },
  renew: (state, input, missing) => {
    const result = renew(state ?? missing(), input.owner, input.leaseInMs, input.nowMs);
    return { state: result.state, value: { leaseExpiresAtMs: result.state.holders[input.owner]!.leaseExpiresAtMs } };
  },
  setCapacity: (state, input) => {
    if (state === undefined) return { state: createSemaphoreState(input.capacity), value: { capacity: input.capacity, granted: [], rejected: [] } };
    const result = setCapacity(state, input.capacity, input.nowMs);
    return { state: result.state, value: { capacity: input.capacity, granted: result.granted, rejected: result.rejected.map((w) => w.owner) } };
  },
  reap: (state, input) => {
    if (state === undefined) return { state, value: { granted: [], reclaimed: [], nextLeaseExpiryMs: null } };
    const result = reap(state, input.nowMs);
    return { state: result.state, value: { granted: result.granted, reclaimed: result.reclaimed, nextLeaseExpiryMs: nextLeaseExpiryMs(result.state) ?? null } };
  },
  cancel: (state, input) => {
    if (state === undefined) return { state, value: { granted: [] } };
    const result = cancel(state, input.owner, input.nowMs);
    return { state: result.state, value: { granted: result.granted } };
  },
  get: (state, input, missing) => {
    const current = state ?? missing();
    const view: SemaphoreView = {
      capacity: current.capacity,
      held: heldPermits(current),
      available: availablePermits(current),
      holders: current.holders,
      waiters: current.waiters,
    };
    if (input.owner !== undefined) view.standing = standing(current, input.owner);
    return { state, value: view };
  },
};

function run<O extends SemaphoreOperation>(
  operation: O,
  key: string,
  state: SemaphoreState | undefined,
  rawInput: unknown,
): { state: SemaphoreState | undefined; value: SemaphoreOperationResults[O] } {
  const where = `${semaphoreEntityName}(${key}).${operation}`;
  const input = parseInput(semaphoreOperationSchemas[operation], rawInput, where) as SemaphoreOperationInput<O>;
  return handlers[operation](state, input, () => {
    throw new SluiceError(
      'SemaphoreNotFound',
      `${where}: semaphore "${key}" does not exist yet. To fix: acquire with "capacityIfNew" or set its capacity first.`,
      { ids: { semaphore: key } },
    );
  });
}

/**
 * Applies one operation. `state` is undefined before the first `acquire` or `setCapacity` created the semaphore;
 * the returned state is the same object when nothing changed.
 */
export function runSemaphoreOperation(
  key: string,
  state: SemaphoreState | undefined,
  operation: string,
  rawInput: unknown,
): { state: SemaphoreState | undefined; value: unknown } {
  if (!semaphoreKeyPattern.test(key)) {
    throw new SluiceError(
      'InvalidArgument',
      `${semaphoreEntityName}: key "${key}" is not "source:<name>" or "target:<name>" (optionally "#<shard>"). To fix: use the semaphore names of the config.`,
      { ids: { semaphore: key } },
    );
  }
  if (!isOperation(operation)) throw unknownOperation(semaphoreEntityName, operation, operations);
  return run(operation, key, state, rawInput);
}
