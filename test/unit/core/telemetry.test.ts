import { append, createStreamState, MAX_WINDOW_CORRELATION_IDS, take } from '../../../core/stream';
import {
  loadFailedEvent, permitGrantedEvent, semaphoreMetrics, streamCountMetrics, telemetryEventSchema, windowCommittedEvent,
} from '../../../core/telemetry';
import { createSemaphoreState } from '../../../core/semaphore';

const limits = { maxRecordsPerWindow: 1_000, maxBlobRefsPerWindow: 100, maxEventsPerWindow: 1_000 };
const ev = (n: number) => ({ stream: 'UK_Account', occurredAtMs: n });

describe('telemetry contract builders', () => {
  it('builds Window.Committed with the lag from the oldest event and the correlation ids, valid against the contract', () => {
    const event = windowCommittedEvent({ streamId: 'UK_Account', pipeline: 'accounts', windowId: 'UK_Account/3', events: 4, commitAtMs: 10_500, oldestEventAtMs: 8_000, correlationIds: ['a', 'b'] });
    expect(event).toEqual({ name: 'Sluice.Window.Committed', properties: { streamId: 'UK_Account', pipeline: 'accounts', windowId: 'UK_Account/3', events: '4', lagMs: '2500', correlationId: 'a', correlationIds: 'a,b' } });
    expect(telemetryEventSchema.safeParse(event).success).toBe(true);
  });

  it('names a shard by the logical semaphore plus the shard key, and caps a long failure reason', () => {
    expect(permitGrantedEvent({ key: 'target:pg#2', owner: 'o', permits: 1, waitedMs: 12.4 }).properties).toEqual({ semaphore: 'target:pg', shard: 'target:pg#2', owner: 'o', permits: '1', waitedMs: '12' });
    expect(loadFailedEvent({ loadId: 'l', pipeline: 'p', reason: 'x'.repeat(5_000) }).properties.reason).toHaveLength(2_000);
  });

  it('refuses an event missing a property the workbook queries', () => {
    expect(telemetryEventSchema.safeParse({ name: 'Sluice.Load.Completed', properties: { loadId: 'l', pipeline: 'p', rows: '1', durationMs: '3' } }).success).toBe(false);
  });

  it('counts streams per contract status (running is active) and reports every semaphore shard', () => {
    expect(streamCountMetrics(['running', 'idle', 'idle', 'suspended'])).toEqual([
      { name: 'sluice.streams.count', value: 1, dimensions: { status: 'active' } },
      { name: 'sluice.streams.count', value: 2, dimensions: { status: 'idle' } },
      { name: 'sluice.streams.count', value: 1, dimensions: { status: 'suspended' } },
    ]);
    const metrics = semaphoreMetrics([{ key: 'source:crm', state: createSemaphoreState(3) }, { key: 'target:pg#1', state: createSemaphoreState(2) }]);
    expect(metrics).toContainEqual({ name: 'sluice.capacity.count', value: 3, dimensions: { semaphore: 'source:crm' } });
    expect(metrics).toContainEqual({ name: 'sluice.permits.count', value: 0, dimensions: { semaphore: 'target:pg', shard: 'target:pg#1' } });
    expect(metrics).toHaveLength(6);
  });
});

describe('stream windows carry their events\' origins', () => {
  const options = { nowMs: 50_000, candidateWorkerId: 'w1', leaseInMs: 60_000 };

  it('gives the window its distinct correlation ids (bounded) and its oldest enqueue time', () => {
    const events = Array.from({ length: MAX_WINDOW_CORRELATION_IDS + 5 }, (_, i) => ev(i + 1));
    const origins = events.map((_, i) => ({ correlationId: `order-${i % (MAX_WINDOW_CORRELATION_IDS + 2)}`, enqueuedAtMs: 40_000 + i }));
    const { state } = append(createStreamState('UK_Account'), events, options, origins);
    const taken = take(state, 'w1', { nowMs: 51_000, leaseInMs: 60_000, limits, keys: { keyColumns: [] } });
    expect(taken.result.kind).toBe('window');
    const window = taken.result.kind === 'window' ? taken.result.window : undefined;
    expect(window?.correlationIds).toEqual(Array.from({ length: MAX_WINDOW_CORRELATION_IDS }, (_, i) => `order-${i}`));
    expect(window?.oldestEventAtMs).toBe(40_000);
  });

  it('falls back to the append time for events without an origin, and refuses misaligned origins', () => {
    const { state } = append(createStreamState('UK_Account'), [ev(1)], options);
    const taken = take(state, 'w1', { nowMs: 51_000, leaseInMs: 60_000, limits, keys: { keyColumns: [] } });
    expect(taken.result).toMatchObject({ kind: 'window', window: { correlationIds: [], oldestEventAtMs: 50_000 } });
    expect(() => append(createStreamState('UK_Account'), [ev(1), ev(2)], options, [{ correlationId: 'a', enqueuedAtMs: null }])).toThrow(/1 origins for 2 events/);
  });
});
