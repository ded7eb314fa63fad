/**
 * The `semaphore` entity (keys `source:<name>`, `target:<name>`, optionally `#<shard>`): leased permits with
 * FIFO waiters, a thin adapter over core/semaphore. The entity notifies nobody itself (JavaScript entities
 * cannot raise events): it returns the granted owners and the caller wakes them (docs/semaphores.md).
 */
import * as df from 'durable-functions';
import { isSemaphoreState, semaphoreStateSchema, type SemaphoreState } from '../core/semaphore';
import { parseStoredState, reply } from './operation';
import { runSemaphoreOperation, semaphoreEntityName } from './semaphore-operations';

/**
 * The state as of the previous operation of the same batch. The SDK runs a batch's operations on one context
 * object and its `getState` parses the stored JSON again for each: with 10,000 waiters that is ~3 ms per
 * operation. The core functions never mutate a state, so the object handed to `setState` (or loaded) is the state
 * the next operation would parse. A context the SDK does not reuse only misses the cache.
 */
const batchStates = new WeakMap<object, { key: string; state: SemaphoreState | undefined }>();

function loadState(context: df.EntityContext<SemaphoreState | null>): SemaphoreState | undefined {
  const cached = batchStates.get(context);
  if (cached !== undefined && cached.key === context.df.entityKey) return cached.state;
  const stored = context.df.getState();
  if (stored === undefined || stored === null) return undefined;
  // The state holds every waiter: the fast guard first, the schema only to name what is wrong.
  return isSemaphoreState(stored) ? stored : parseStoredState(semaphoreStateSchema, stored, `${semaphoreEntityName}(${context.df.entityKey})`);
}

export function semaphoreEntity(context: df.EntityContext<SemaphoreState | null>): void {
  const result = reply(() => {
    const state = loadState(context);
    const next = runSemaphoreOperation(context.df.entityKey, state, context.df.operationName ?? '', context.df.getInput());
    if (next.state !== state && next.state !== undefined) context.df.setState(next.state);
    batchStates.set(context, { key: context.df.entityKey, state: next.state ?? state });
    return next.value;
  });
  context.df.return(result);
}

df.app.entity(semaphoreEntityName, semaphoreEntity);
