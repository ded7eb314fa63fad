/**
 * Starting an orchestration at most once per deterministic instance id. `startNew` alone would restart a
 * completed instance of the same id, so a redelivered trigger (a Service Bus batch, a blob version) would run
 * twice; checking the status first, and again when `startNew` fails, makes the start idempotent.
 */
import type * as df from 'durable-functions';

/** Whether the instance exists; a status read failing for another reason than 404 throws (the trigger retries). */
export async function instanceExists(client: Pick<df.DurableClient, 'getStatus'>, instanceId: string): Promise<boolean> {
  try {
    return (await client.getStatus(instanceId)).runtimeStatus !== undefined;
  } catch (error) {
    if (/\bHTTP 404\b/.test((error as Error).message)) return false;
    throw error;
  }
}

/** Starts `orchestration` as `instanceId` unless that instance exists. Returns whether this call started it. */
export async function startOrchestrationOnce(client: Pick<df.DurableClient, 'getStatus' | 'startNew'>, orchestration: string, instanceId: string, input: unknown): Promise<boolean> {
  if (await instanceExists(client, instanceId)) return false;
  try {
    await client.startNew(orchestration, { instanceId, input });
    return true;
  } catch (error) {
    if (await instanceExists(client, instanceId).catch(() => false)) return false;
    throw error;
  }
}
