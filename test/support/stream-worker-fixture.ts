import type { StreamWorkerInput } from '../../orchestrators/stream-worker-input';

/** A stream worker input for tests: stream UK_Account, source:crm (3) and target:pg (4); override what a test needs. */
export function streamWorkerInputFixture(overrides: Partial<StreamWorkerInput> = {}): StreamWorkerInput {
  return {
    streamId: 'UK_Account',
    pipeline: 'accounts',
    leaseInMs: 300_000,
    limits: { maxRecordsPerWindow: 100, maxBlobRefsPerWindow: 10, maxEventsPerWindow: 100 },
    keys: { keyColumns: ['id'] },
    source: { name: 'source:crm', capacity: 3, shards: 1, permits: 1, leaseInMs: 600_000 },
    target: { name: 'target:pg', capacity: 4, shards: 1, permits: 1, leaseInMs: 600_000 },
    permitRecheckInMs: 30_000,
    retry: { firstRetryIntervalInMs: 1_000, maxNumberOfAttempts: 3, backoffCoefficient: 2, maxRetryIntervalInMs: 60_000 },
    suspendAfterFailures: 5,
    windowsPerExecution: 50,
    ...overrides,
  };
}
