/**
 * `ingestBatch` orchestration: the short orchestration the ingress starts per received batch. It appends each
 * stream's events to its `stream` entity (the election happens inside `append`) and starts the worker of every
 * stream whose append elected the caller. Appends to different streams run in parallel.
 */
import * as df from 'durable-functions';
import { z } from 'zod';
import { streamEventSchema } from '../core/coalesce';
import { SluiceError } from '../core/errors';
import { unwrapReply, type EntityReply } from '../entities/operation';
import { eventOriginSchema, streamEntityName, type ElectionReply, type StreamOperationInput } from '../entities/stream-operations';
import { startStreamWorkerActivityName, type StartStreamWorkerInput } from '../functions/activities/start-stream-worker';
import { streamWorkerInputSchema, streamWorkerInstanceId } from './stream-worker-input';

export const ingestBatchOrchestrationName = 'ingestBatch';

export const ingestBatchInputSchema = z
  .object({
    appends: z
      .array(
        z
          .object({
            events: z.array(streamEventSchema).min(1),
            /** One per event, same order: where each came from (correlation, lag). */
            origins: z.array(eventOriginSchema).optional(),
            worker: streamWorkerInputSchema,
          })
          .strict(),
      )
      .min(1),
    /** Retry of the worker start. */
    startRetry: z.object({ firstRetryIntervalInMs: z.number().int().positive(), maxNumberOfAttempts: z.number().int().positive() }).strict(),
  })
  .strict();

export type IngestBatchInput = z.infer<typeof ingestBatchInputSchema>;

export interface IngestBatchResult {
  appended: Array<{ streamId: string; events: number; workerId: string | null }>;
  /** Streams whose worker this batch started (or found already running under its id). */
  workersStarted: string[];
}

type Step<T> = Generator<df.Task, T, unknown>;

function parseInput(input: unknown): IngestBatchInput {
  const parsed = ingestBatchInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('MessageInvalid', `${ingestBatchOrchestrationName}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: build the input from validated messages.`);
  }
  const seen = new Set<string>();
  for (const entry of parsed.data.appends) {
    const streamId = entry.worker.streamId;
    if (seen.has(streamId)) {
      throw new SluiceError('MessageInvalid', `${ingestBatchOrchestrationName}: stream "${streamId}" appears twice. To fix: group a batch's events by stream, in arrival order.`, { ids: { streamId } });
    }
    seen.add(streamId);
  }
  return parsed.data;
}

export function* ingestBatch(context: df.OrchestrationContext): Step<IngestBatchResult> {
  const input = parseInput(context.df.getInput());
  const nowMs = context.df.currentUtcDateTime.getTime();
  const appendTasks = input.appends.map((entry) => {
    const append: StreamOperationInput<'append'> = {
      events: entry.events,
      ...(entry.origins === undefined ? {} : { origins: entry.origins }),
      candidateWorkerId: streamWorkerInstanceId(entry.worker.streamId, context.df.newGuid(context.df.instanceId)),
      leaseInMs: entry.worker.leaseInMs,
      nowMs,
    };
    return context.df.callEntity(new df.EntityId(streamEntityName, entry.worker.streamId), 'append', append);
  });
  const replies = (yield context.df.Task.all(appendTasks)) as Array<EntityReply<ElectionReply>>;

  const appended: IngestBatchResult['appended'] = [];
  const workersStarted: string[] = [];
  const starts: df.Task[] = [];
  const startRetry = new df.RetryOptions(input.startRetry.firstRetryIntervalInMs, input.startRetry.maxNumberOfAttempts);
  input.appends.forEach((entry, i) => {
    const streamId = entry.worker.streamId;
    const election = unwrapReply(replies[i]!, `stream(${streamId}).append`);
    appended.push({ streamId, events: entry.events.length, workerId: election.workerId });
    if (!election.becomeWorker || election.workerId === null) return;
    workersStarted.push(streamId);
    const start: StartStreamWorkerInput = { instanceId: election.workerId!, worker: entry.worker };
    starts.push(context.df.callActivityWithRetry(startStreamWorkerActivityName, startRetry, start));
  });
  if (starts.length > 0) yield context.df.Task.all(starts);
  return { appended, workersStarted };
}

df.app.orchestration(ingestBatchOrchestrationName, ingestBatch);
