/**
 * Input of the `streamWorker` orchestration: everything it needs arrives here (no env reads in orchestrators).
 * The ingress builds it from the pipeline config; `continueAsNew` passes it on unchanged.
 */
import { z } from 'zod';
import { SluiceError } from '../core/errors';
import { coalesceLimitsSchema, mergeKeysSchema } from '../entities/stream-operations';

export const streamWorkerOrchestrationName = 'streamWorker';

/** How the worker uses one semaphore. */
export const semaphoreUseSchema = z
  .object({
    name: z.string().regex(/^(source|target):[^#\s]+$/).describe('Semaphore name, e.g. "source:crm" or "target:pg".'),
    capacity: z.number().int().positive().describe('Configured capacity (applied when the semaphore is created).'),
    shards: z.number().int().positive().describe('Entity shards sharing the capacity (1 = unsharded).'),
    permits: z.number().int().positive().describe('Permits one window needs.'),
    leaseInMs: z
      .number()
      .int()
      .positive()
      .describe('Permit lease: must exceed the activity run time over all retry attempts and backoffs, or the permit may be reaped while in use.'),
  })
  .strict();

export const activityRetrySchema = z
  .object({
    firstRetryIntervalInMs: z.number().int().positive(),
    maxNumberOfAttempts: z.number().int().positive(),
    backoffCoefficient: z.number().min(1),
    maxRetryIntervalInMs: z.number().int().positive(),
  })
  .strict();

export const streamWorkerInputSchema = z
  .object({
    streamId: z.string().min(1),
    pipeline: z.string().min(1),
    leaseInMs: z
      .number()
      .int()
      .positive()
      .describe('Stream worker lease, renewed by every take and permit re-check: must exceed one window (both activities over all retries).'),
    limits: coalesceLimitsSchema,
    keys: mergeKeysSchema,
    source: semaphoreUseSchema,
    target: semaphoreUseSchema,
    permitRecheckInMs: z.number().int().positive().describe('A waiter re-checks its permit after this long without a PermitGranted event.'),
    retry: activityRetrySchema,
    suspendAfterFailures: z.number().int().positive(),
    windowsPerExecution: z.number().int().positive().describe('Windows per execution before continueAsNew bounds the history.'),
  })
  .strict();

export type SemaphoreUse = z.infer<typeof semaphoreUseSchema>;
export type ActivityRetry = z.infer<typeof activityRetrySchema>;
export type StreamWorkerInput = z.infer<typeof streamWorkerInputSchema>;

export function parseStreamWorkerInput(input: unknown): StreamWorkerInput {
  const parsed = streamWorkerInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new SluiceError(
    'ConfigInvalid',
    `streamWorker: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: build the worker input from the pipeline config.`,
  );
}

/**
 * Instance id of one elected worker of a stream: `stream-worker:<stream>:<guid>`, the guid from the electing
 * orchestration's `context.df.newGuid` (deterministic under replay). A fresh id per election lets the entity
 * fence a replaced worker (its next call answers StaleWorker), and a new worker never collides with an old
 * instance that is still finishing.
 */
export function streamWorkerInstanceId(streamId: string, guid: string): string {
  return `${streamWorkerInstancePrefix(streamId)}${guid}`;
}

export function streamWorkerInstancePrefix(streamId: string): string {
  return `stream-worker:${streamId}:`;
}
