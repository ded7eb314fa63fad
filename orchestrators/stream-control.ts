/**
 * `streamControl` orchestration: operator commands on a stream (suspend, reconcile, resume, replay). `resume`
 * and `replay` may elect a worker, and only an orchestration (through `startStreamWorker`) can start it, so the management API runs
 * commands through here and waits for the output instead of signalling the entity.
 */
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../core/errors';
import { unwrapReply, type EntityReply } from '../entities/operation';
import { streamEntityName, type ElectionReply, type StreamOperationResults } from '../entities/stream-operations';
import { startStreamWorkerActivityName, type StartStreamWorkerInput } from '../functions/activities/start-stream-worker';
import { streamWorkerInputSchema, streamWorkerInstanceId, type StreamWorkerInput } from './stream-worker-input';
import { nowMs } from './time';

export const streamControlOrchestrationName = 'streamControl';

const streamId = z.string().min(1);

export const streamControlInputSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('suspend'), streamId, reason: z.string().min(1) }).strict(),
  z
    .object({
      command: z.literal('reconcile'),
      streamId,
      discardFailedWindow: z.boolean().optional(),
      watermarkMs: z.number().int().nonnegative().nullable().optional(),
    })
    .strict(),
  z.object({ command: z.literal('resume'), worker: streamWorkerInputSchema }).strict(),
  z.object({ command: z.literal('replay'), windowSeqs: z.array(z.number().int().positive()).min(1), worker: streamWorkerInputSchema }).strict(),
]);

export type StreamControlInput = z.infer<typeof streamControlInputSchema>;

export type StreamControlResult =
  | { command: 'suspend'; status: StreamOperationResults['suspend']['status'] }
  | { command: 'reconcile'; discardedEvents: number }
  | { command: 'resume'; workerId: string | null; workerStarted: boolean }
  | { command: 'replay'; replays: Array<{ replayId: string; windowSeq: number }>; workerId: string | null; workerStarted: boolean };

type Step<T> = Generator<df.Task, T, unknown>;

const startRetry = new df.RetryOptions(1_000, 3);

export function* streamControl(context: df.OrchestrationContext): Step<StreamControlResult> {
  const parsed = streamControlInputSchema.safeParse(context.df.getInput());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('InvalidArgument', `${streamControlOrchestrationName}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: send suspend, reconcile, resume or replay.`);
  }
  const input = parsed.data;
  const at = nowMs(context);
  const id = input.command === 'resume' || input.command === 'replay' ? input.worker.streamId : input.streamId;
  const entity = new df.EntityId(streamEntityName, id);
  const where = `stream(${id}).${input.command}`;

  if (input.command === 'suspend') {
    const reply = (yield context.df.callEntity(entity, 'suspend', { reason: input.reason, nowMs: at })) as EntityReply<StreamOperationResults['suspend']>;
    return { command: 'suspend', status: unwrapReply(reply, where).status };
  }
  if (input.command === 'reconcile') {
    const request = { nowMs: at, discardFailedWindow: input.discardFailedWindow, watermarkMs: input.watermarkMs };
    const reply = (yield context.df.callEntity(entity, 'reconcile', request)) as EntityReply<StreamOperationResults['reconcile']>;
    return { command: 'reconcile', discardedEvents: unwrapReply(reply, where).discardedEvents };
  }
  const candidateWorkerId = streamWorkerInstanceId(id, context.df.newGuid(context.df.instanceId));
  if (input.command === 'resume') {
    const reply = (yield context.df.callEntity(entity, 'resume', { candidateWorkerId, leaseInMs: input.worker.leaseInMs, nowMs: at })) as EntityReply<StreamOperationResults['resume']>;
    return { command: 'resume', ...(yield* startIfElected(context, unwrapReply(reply, where), input.worker)) };
  }
  // Replay ids from the replay-safe guid source: a replayed episode asks for the same ids, so nothing queues twice.
  const replays = input.windowSeqs.map((windowSeq, i) => ({ replayId: context.df.newGuid(`${context.df.instanceId}:replay:${i}`), windowSeq }));
  const request = { replays, candidateWorkerId, leaseInMs: input.worker.leaseInMs, nowMs: at };
  const reply = (yield context.df.callEntity(entity, 'requestReplay', request)) as EntityReply<StreamOperationResults['requestReplay']>;
  return { command: 'replay', replays, ...(yield* startIfElected(context, unwrapReply(reply, where), input.worker)) };
}

/** Starts the worker the entity elected, if it elected one (the caller's candidate id). */
function* startIfElected(context: df.OrchestrationContext, election: ElectionReply, worker: StreamWorkerInput): Step<{ workerId: string | null; workerStarted: boolean }> {
  if (!election.becomeWorker || election.workerId === null) return { workerId: election.workerId, workerStarted: false };
  const start: StartStreamWorkerInput = { instanceId: election.workerId, worker };
  yield context.df.callActivityWithRetry(startStreamWorkerActivityName, startRetry, start);
  return { workerId: election.workerId, workerStarted: true };
}

df.app.orchestration(streamControlOrchestrationName, streamControl);
