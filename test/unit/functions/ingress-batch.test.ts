import { parseConfig } from '../../../core/config';
import { ingestInstanceId, sortBatch } from '../../../functions/ingress-batch';
import { targetTableOf, windowKey, WINDOW_SEQ_COLUMN } from '../../../functions/pipeline-target';
import { streamWorkerInputFor, UNCAPPED_SOURCE_CAPACITY } from '../../../functions/stream-worker-config';
import { streamWorkerInputSchema } from '../../../orchestrators/stream-worker-input';

const config = parseConfig({
  semaphores: [{ kind: 'source', name: 'crm', capacity: 3 }, { kind: 'target', name: 'pg', capacity: 4, leaseInMs: 60_000 }],
  streamPolicies: [{ name: 'fast', retry: { maxRetries: 2, retryDelayInMs: 100 }, suspendAfterFailures: 3 }],
  pipelines: [
    { name: 'accounts', streams: ['UK_*'], source: { kind: 'inline' }, sourceSemaphore: 'crm', target: { kind: 'postgres', table: 'accounts' },
      targetSemaphore: 'pg', keyColumns: ['id'], versionColumn: 'v', columns: { id: 'text', v: 'bigint', qty: 'integer' }, policy: 'fast' },
    { name: 'orders', streams: ['orders:*'], source: { kind: 'blob' }, target: { kind: 'postgres', schema: 'sales', table: 'orders' },
      targetSemaphore: 'pg', keyColumns: ['order_id'] },
  ],
});

describe('ingress batch sorting', () => {
  it('keeps valid events in arrival order and gives each bad message a reason code and a description with the fix', () => {
    const sorted = sortBatch(config, 'UK_A', [
      { messageId: 'm1', body: { stream: 'UK_A', occurredAtMs: 1, records: [{ id: 'a', v: 1 }] } },
      { messageId: 'm2', body: '{"stream":"UK_A","occurredAtMs":2}' },
      { messageId: 'm3', body: 'not json' },
      { messageId: 'm4', body: { stream: 'UK_B', occurredAtMs: 3 } },
      { messageId: 'm5', body: { stream: 'UK_A' } },
      { messageId: 'm6', body: { stream: 'UK_A', occurredAtMs: 4, records: [], blobRef: { url: 'x' } } },
    ]);
    expect(sorted.pipeline?.name).toBe('accounts');
    expect(sorted.events.map((e) => e.occurredAtMs)).toEqual([1, 2]);
    expect(sorted.rejects.map((r) => [r.index, r.messageId, r.code, r.description])).toEqual([
      [2, 'm3', 'NotJson', expect.stringMatching(/^body is not JSON: .+\. To fix: send the event as a JSON object \(contract: docs\/ingress\.md\)\.$/)],
      [3, 'm4', 'SessionMismatch', 'stream "UK_B" differs from the message\'s sessionId "UK_A" (they must be equal). To fix: send it with sessionId = its stream.'],
      [4, 'm5', 'InvalidBody', 'invalid event at "occurredAtMs": set exactly one of "occurredAtMs" or "window". To fix: follow the message contract in docs/ingress.md.'],
      [5, 'm6', 'InvalidBody', 'invalid event at "records": set at most one of "records" or "blobRef". To fix: follow the message contract in docs/ingress.md.'],
    ]);
    expect(sorted.rejects.every((r) => r.sessionId === 'UK_A')).toBe(true);
  });

  it('dead-letters every message of a stream no pipeline serves, naming the fix', () => {
    const sorted = sortBatch(config, 'FR_A', [{ messageId: 'm1', body: { stream: 'FR_A', occurredAtMs: 1 } }]);
    expect(sorted.events).toEqual([]);
    expect(sorted.rejects[0]).toMatchObject({ code: 'NoPipeline',
      description: 'no pipeline serves stream "FR_A" (no stream pattern matches it). To fix: add the stream to a pipeline\'s streams, then resubmit the message from the dead-letter queue.' });
  });

  it('names the ingest instance after the batch\'s first message, so a redelivery maps to the same instance', () => {
    expect(ingestInstanceId('UK_A', 'm1')).toBe('ingest:UK_A:m1');
  });
});

describe('stream worker input from the pipeline config', () => {
  it('takes the policy, the semaphores and the merge keys of the pipeline', () => {
    const input = streamWorkerInputFor(config, config.pipelines[0]!, 'UK_A');
    expect(streamWorkerInputSchema.parse(input)).toEqual(input);
    expect(input).toMatchObject({
      streamId: 'UK_A', pipeline: 'accounts', keys: { keyColumns: ['id'], versionColumn: 'v' }, suspendAfterFailures: 3,
      source: { name: 'source:crm', capacity: 3, shards: 1, permits: 1 }, target: { name: 'target:pg', capacity: 4, leaseInMs: 60_000 },
      retry: { firstRetryIntervalInMs: 100, maxNumberOfAttempts: 3, backoffCoefficient: 2, maxRetryIntervalInMs: 60_000 },
    });
  });

  it('gives a pipeline without a source semaphore its own uncapped one', () => {
    const input = streamWorkerInputFor(config, config.pipelines[1]!, 'orders:1');
    expect(input.source).toMatchObject({ name: 'source:orders', capacity: UNCAPPED_SOURCE_CAPACITY });
    expect(input.keys).toEqual({ keyColumns: ['order_id'] });
  });
});

describe('pipeline -> PostgreSQL target table', () => {
  it('maps keys, version and declared column types', () => {
    expect(targetTableOf(config.pipelines[0]!)).toEqual({
      schema: 'public', table: 'accounts', keyColumns: ['id'], versionColumn: 'v',
      columns: [{ name: 'id', type: 'text' }, { name: 'v', type: 'bigint' }, { name: 'qty', type: 'int' }],
    });
  });

  it('guards a pipeline without a version column with the window sequence number', () => {
    expect(targetTableOf(config.pipelines[1]!)).toMatchObject({ schema: 'sales', versionColumn: WINDOW_SEQ_COLUMN,
      columns: [{ name: 'order_id', type: 'text' }, { name: WINDOW_SEQ_COLUMN, type: 'bigint' }] });
  });

  it('names window artefacts with a blob-safe key that keeps streams apart', () => {
    expect(windowKey('UK_A', 7)).toBe('UK_A.w7');
    expect(windowKey('orders:1', 2)).toBe('orders=3a1.w2');
    expect(windowKey('a.b', 1)).not.toBe(windowKey('a=2eb', 1));
  });
});
