/**
 * The `semaphore` entity (keys `source:<name>`, `target:<name>`, optionally `#<shard>`): leased permits with
 * FIFO waiters, a thin adapter over core/semaphore. The entity notifies nobody itself (JavaScript entities
 * cannot raise events): it returns the granted owners and the caller wakes them (docs/semaphores.md).
 */
import * as df from 'durable-functions';
import type { SemaphoreState } from '../core/semaphore';
import { reply } from './operation';
import { runSemaphoreOperation, semaphoreEntityName } from './semaphore-operations';

export function semaphoreEntity(context: df.EntityContext<SemaphoreState>): void {
  const result = reply(() => {
    const state = context.df.getState() as SemaphoreState | undefined;
    const next = runSemaphoreOperation(context.df.entityKey, state ?? undefined, context.df.operationName ?? '', context.df.getInput());
    if (next.state !== state && next.state !== undefined) context.df.setState(next.state);
    return next.value;
  });
  context.df.return(result);
}

df.app.entity(semaphoreEntityName, semaphoreEntity);
