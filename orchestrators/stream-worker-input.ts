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
    leaseInMs: z.number().int().positive().describe('Stream worker lease, renewed by every take.'),
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

/** The deterministic instance id of a stream's worker: Durable runs at most one instance per id. */
export function streamWorkerInstanceId(streamId: string): string {
  return `stream-worker:${streamId}`;
}
