/**
 * The `semaphore` entity (keys `source:<name>`, `target:<name>`, optionally `#<shard>`): leased permits with
 * FIFO waiters, a thin adapter over core/semaphore. The entity notifies nobody itself (JavaScript entities
 * cannot raise events): it returns the granted owners and the caller wakes them (docs/semaphores.md).
 */
import * as df from 'durable-functions';
import { semaphoreStateSchema, type SemaphoreState } from '../core/semaphore';
import { parseStoredState, reply } from './operation';
import { runSemaphoreOperation, semaphoreEntityName } from './semaphore-operations';

export function semaphoreEntity(context: df.EntityContext<SemaphoreState | null>): void {
  const result = reply(() => {
    const stored = context.df.getState();
    const where = `${semaphoreEntityName}(${context.df.entityKey})`;
    const state = stored === undefined || stored === null ? undefined : parseStoredState(semaphoreStateSchema, stored, where);
    const next = runSemaphoreOperation(context.df.entityKey, state, context.df.operationName ?? '', context.df.getInput());
    if (next.state !== state && next.state !== undefined) context.df.setState(next.state);
    return next.value;
  });
  context.df.return(result);
}

df.app.entity(semaphoreEntityName, semaphoreEntity);
