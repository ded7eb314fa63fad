/**
 * Structural invariants of a semaphore state, for run-time checks (entity tests, integration tests) and
 * property tests. Held permits may exceed capacity only after a lowering, so that is not checked here; callers
 * that know no lowering happened compare `heldPermits(state) <= state.capacity` themselves.
 */
import { availablePermits } from './semaphore';
import type { SemaphoreState } from './types';

/** Descriptions of every broken invariant; empty when the state is sound. */
export function semaphoreViolations(state: SemaphoreState): string[] {
  const violations: string[] = [];
  const waiting = new Set<string>();
  for (const waiter of state.waiters) {
    if (waiting.has(waiter.owner)) violations.push(`owner "${waiter.owner}" waits twice`);
    waiting.add(waiter.owner);
    if (waiter.owner in state.holders) violations.push(`owner "${waiter.owner}" both holds and waits`);
    if (!(waiter.min >= 1 && waiter.min <= waiter.want)) violations.push(`waiter "${waiter.owner}" has min ${waiter.min} outside 1..want ${waiter.want}`);
  }
  for (const [owner, holder] of Object.entries(state.holders)) {
    if (!(Number.isInteger(holder.permits) && holder.permits >= 1)) violations.push(`holder "${owner}" has ${holder.permits} permits`);
  }
  // Invariant 4 (no idle capacity while work waits): the head waiter must need more than what is free.
  const head = state.waiters[0];
  if (head !== undefined && head.min <= availablePermits(state)) {
    violations.push(`waiter "${head.owner}" needs ${head.min} and ${availablePermits(state)} are free, but it was not granted`);
  }
  return violations;
}
