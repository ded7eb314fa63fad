/**
 * Builds the `streamWorker` input of a stream from its pipeline in the effective configuration: the policy's
 * lease, coalescing limits, retries and suspension threshold, and the pipeline's semaphores. Orchestrators read
 * no config, so everything travels in this input.
 */
import { resolvePolicy, type PipelineConfig, type SluiceConfig } from '../core/config';
import { SluiceError } from '../core/errors';
import type { IngestBatchInput } from '../orchestrators/ingest-batch';
import type { SemaphoreUse, StreamWorkerInput } from '../orchestrators/stream-worker-input';

/** A waiter re-checks its permit after this long without a PermitGranted event (the safety net, not the path). */
export const PERMIT_RECHECK_IN_MS = 30_000;
/** Windows per worker execution before continueAsNew. */
export const WINDOWS_PER_EXECUTION = 20;
/**
 * A pipeline without a `sourceSemaphore` reads uncapped; the worker still takes a permit of its own per-pipeline
 * semaphore `source:<pipeline>`, with this capacity, so the orchestration has one code path.
 */
export const UNCAPPED_SOURCE_CAPACITY = 1_000_000;
const uncappedSourceLeaseInMs = 3_600_000;

export const INGEST_START_RETRY: IngestBatchInput['startRetry'] = { firstRetryIntervalInMs: 1_000, maxNumberOfAttempts: 5 };

function semaphoreUse(config: SluiceConfig, kind: 'source' | 'target', name: string, pipeline: string): SemaphoreUse {
  const declared = config.semaphores.find((s) => s.kind === kind && s.name === name);
  if (declared === undefined) {
    throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline}" names ${kind} semaphore "${name}", which is not declared. To fix: add it to "semaphores".`,
      { ids: { pipeline } });
  }
  return { name: `${kind}:${name}`, capacity: declared.capacity, shards: declared.shards, permits: 1, leaseInMs: declared.leaseInMs };
}

export function streamWorkerInputFor(config: SluiceConfig, pipeline: PipelineConfig, streamId: string): StreamWorkerInput {
  const policy = resolvePolicy(config, pipeline.policy);
  const source: SemaphoreUse = pipeline.sourceSemaphore === undefined
    ? { name: `source:${pipeline.name}`, capacity: UNCAPPED_SOURCE_CAPACITY, shards: 1, permits: 1, leaseInMs: uncappedSourceLeaseInMs }
    : semaphoreUse(config, 'source', pipeline.sourceSemaphore, pipeline.name);
  return {
    streamId,
    pipeline: pipeline.name,
    leaseInMs: policy.workerLeaseInMs,
    limits: policy.coalescing,
    keys: pipeline.versionColumn === undefined ? { keyColumns: pipeline.keyColumns } : { keyColumns: pipeline.keyColumns, versionColumn: pipeline.versionColumn },
    source,
    target: semaphoreUse(config, 'target', pipeline.targetSemaphore, pipeline.name),
    permitRecheckInMs: PERMIT_RECHECK_IN_MS,
    retry: {
      firstRetryIntervalInMs: policy.retry.retryDelayInMs,
      maxNumberOfAttempts: policy.retry.maxRetries + 1,
      backoffCoefficient: policy.retry.backoffCoefficient,
      maxRetryIntervalInMs: policy.retry.maxRetryDelayInMs,
    },
    suspendAfterFailures: policy.suspendAfterFailures,
    windowsPerExecution: WINDOWS_PER_EXECUTION,
  };
}
