/**
 * `startStreamWorker` activity: starts the elected worker orchestration of a stream. Orchestrations cannot start
 * an independent orchestration themselves (a sub-orchestration would make the ingress wait for the worker), so the
 * ingress calls this activity with a Durable client. The instance id is fixed per stream; when that instance is
 * still running (a slow worker whose lease ran out was re-elected under the same id) the start is a no-op.
 */
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../../core/errors';
import {
  streamWorkerInputSchema,
  streamWorkerInstanceId,
  streamWorkerOrchestrationName,
  type StreamWorkerInput,
} from '../../orchestrators/stream-worker-input';

export const startStreamWorkerActivityName = 'startStreamWorker';

export const startStreamWorkerInputSchema = z.object({ instanceId: z.string().min(1), worker: streamWorkerInputSchema }).strict();

export interface StartStreamWorkerInput {
  instanceId: string;
  worker: StreamWorkerInput;
}

export interface StartStreamWorkerResult {
  instanceId: string;
  started: boolean;
}

const liveStatuses = new Set<string>([
  df.OrchestrationRuntimeStatus.Running,
  df.OrchestrationRuntimeStatus.Pending,
  df.OrchestrationRuntimeStatus.ContinuedAsNew,
]);

export type WorkerStarter = Pick<df.DurableClient, 'startNew' | 'getStatus'>;

export async function startStreamWorker(client: WorkerStarter, rawInput: unknown, context: InvocationContext): Promise<StartStreamWorkerResult> {
  const parsed = startStreamWorkerInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('InvalidArgument', `${startStreamWorkerActivityName}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: pass { instanceId, worker }.`);
  }
  const { instanceId, worker } = parsed.data;
  if (instanceId !== streamWorkerInstanceId(worker.streamId)) {
    throw new SluiceError('InvalidArgument', `${startStreamWorkerActivityName}: instance id "${instanceId}" is not the worker id of stream "${worker.streamId}". To fix: use streamWorkerInstanceId(streamId).`);
  }
  try {
    await client.startNew(streamWorkerOrchestrationName, { instanceId, input: worker });
    return { instanceId, started: true };
  } catch (error) {
    const status = await client.getStatus(instanceId).catch(() => undefined);
    if (status === undefined || !liveStatuses.has(status.runtimeStatus)) throw error;
    context.log('sluice:stream worker already running', { streamId: worker.streamId, instanceId });
    return { instanceId, started: false };
  }
}

df.app.activity(startStreamWorkerActivityName, {
  extraInputs: [df.input.durableClient()],
  handler: (input: unknown, context: InvocationContext) => startStreamWorker(df.getClient(context), input, context),
});
