/** Stream policies (retries, suspension, coalescing, lease) and semaphores. */
import { z } from 'zod';
import { objectName, positiveInt } from './identifiers';

export const retrySchema = z
  .object({
    maxRetries: z.int('expected an integer >= 0').min(0, 'expected an integer >= 0').default(3).describe('Retries of a failed window step before it counts as one failure. Default: 3.'),
    retryDelayInMs: positiveInt('milliseconds').default(1_000).describe('Delay before the first retry in ms. Default: 1000.'),
    backoffCoefficient: z.number().min(1, 'expected a number >= 1').default(2).describe('Each retry waits this many times longer than the previous one. Default: 2.'),
    maxRetryDelayInMs: positiveInt('milliseconds').default(60_000).describe('Longest delay between retries in ms. Default: 60000.'),
  })
  .strict();

export const coalescingSchema = z
  .object({
    maxRecordsPerWindow: positiveInt('records').default(10_000).describe('Most inline records (before merging) in one window. Default: 10000.'),
    maxBlobRefsPerWindow: positiveInt('blob refs').default(1_000).describe('Most blob refs in one window. Default: 1000.'),
    maxEventsPerWindow: positiveInt('events').default(10_000).describe('Most events in one window. Default: 10000.'),
  })
  .strict();

export const streamPolicySchema = z
  .object({
    name: objectName.describe('Policy name, referenced by pipelines.'),
    retry: retrySchema.prefault({}).describe('Retries with exponential backoff. Default: 3 retries from 1 s, doubling, at most 60 s.'),
    suspendAfterFailures: positiveInt('failures').default(5).describe('Suspend the stream after this many failed attempts of one window in a row. Default: 5.'),
    coalescing: coalescingSchema.prefault({}).describe('Limits of one coalesced window.'),
    workerLeaseInMs: positiveInt('milliseconds').default(300_000).describe('Lease of a stream worker; another is elected if it is not renewed in time. Default: 300000 (5 min).'),
  })
  .strict();

export const semaphoreSchema = z
  .object({
    kind: z.enum(['source', 'target']).describe('"source" caps reads from a source API, "target" caps writes to a target database.'),
    name: objectName.describe('Semaphore name; the entity key is "<kind>:<name>".'),
    capacity: positiveInt('permits').describe('Permits available at once. Changeable at run time through the API.'),
    shards: positiveInt('entities').default(1).describe('Entities sharing the capacity, for very hot semaphores; keep <= capacity. Default: 1.'),
    leaseInMs: positiveInt('milliseconds').default(300_000).describe('Lease of a permit; unreleased permits are reclaimed after it. Default: 300000 (5 min).'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.capacity >= 1 && s.shards > s.capacity) {
      ctx.addIssue({ code: 'custom', path: ['shards'], input: s.shards, message: 'expected shards <= capacity (a shard with no permit could never grant)' });
    }
  });

export type StreamPolicyConfig = z.output<typeof streamPolicySchema>;
export type SemaphoreConfig = z.output<typeof semaphoreSchema>;
