/**
 * Applies a stored semaphore's capacity to its live entities: the management API calls this after a change, so a
 * raised capacity grants queued waiters at once and a lowered one stops new grants (docs/semaphores.md). It runs the
 * `semaphoreControl` orchestration, because only an orchestration's entity call returns the granted owners that
 * must be notified, and waits for it within a bound.
 */
import * as df from 'durable-functions';
import { SluiceError } from '../core/errors';
import { semaphoreControlOrchestrationName, type SemaphoreControlInput, type SemaphoreControlResult } from '../orchestrators/semaphore-control';

export interface ApplyCapacityOptions {
  /** How long to wait for the entities to take the new capacity. @default 20000 */
  timeoutInMs?: number;
  /** Status poll interval while waiting. @default 100 */
  pollIntervalInMs?: number;
}

export async function applySemaphoreCapacity(
  client: df.DurableClient,
  semaphore: { name: string; capacity: number; shards: number },
  options: ApplyCapacityOptions = {},
): Promise<SemaphoreControlResult> {
  const input: SemaphoreControlInput = { command: 'setCapacity', name: semaphore.name, shards: semaphore.shards, capacity: semaphore.capacity };
  const instanceId = await client.startNew(semaphoreControlOrchestrationName, { input });
  const deadline = Date.now() + (options.timeoutInMs ?? 20_000);
  for (;;) {
    const status = await client.getStatus(instanceId);
    if (status.runtimeStatus === df.OrchestrationRuntimeStatus.Completed) return status.output as SemaphoreControlResult;
    if (status.runtimeStatus === df.OrchestrationRuntimeStatus.Failed || status.runtimeStatus === df.OrchestrationRuntimeStatus.Terminated) {
      throw new SluiceError('SinkFailed', `Setting the capacity of semaphore "${semaphore.name}" failed (instance ${instanceId}): ${JSON.stringify(status.output)}. ` +
        'To fix: check the app logs for that instance, then PUT the semaphore again.', { ids: { semaphore: semaphore.name, instanceId } });
    }
    if (Date.now() > deadline) {
      throw new SluiceError('SinkFailed', `Semaphore "${semaphore.name}": the new capacity was stored but its entities have not taken it yet (instance ${instanceId} is ${status.runtimeStatus}). ` +
        'To fix: it will apply when the instance completes; check it with the Durable status API.', { retryable: true, ids: { semaphore: semaphore.name, instanceId } });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalInMs ?? 100));
  }
}
