import { semaphoreNameOf, semaphoreViews } from '../../../functions/semaphore-views';

describe('semaphore views of the operators API', () => {
  const at = Date.UTC(2026, 10, 23);

  it('strips the shard suffix from an entity key', () => {
    expect(semaphoreNameOf('target:pg#3')).toBe('target:pg');
    expect(semaphoreNameOf('source:crm')).toBe('source:crm');
  });

  it('aggregates shards into one semaphore: capacity, held and available summed, positions per shard', () => {
    const views = semaphoreViews([
      { key: 'source:crm#1', lastOperationTime: '', state: { capacity: 2, holders: {}, waiters: [{ owner: 'c', want: 1, min: 1, leaseInMs: 1, enqueuedAtMs: at }] } },
      { key: 'target:pg', lastOperationTime: '', state: { capacity: 1, holders: {}, waiters: [] } },
      { key: 'source:crm#0', lastOperationTime: '', state: { capacity: 3, holders: { a: { permits: 2, leaseExpiresAtMs: at } }, waiters: [{ owner: 'b', want: 2, min: 1, leaseInMs: 1, enqueuedAtMs: at }] } },
    ]);
    expect(views.map((v) => v.name)).toEqual(['source:crm', 'target:pg']);
    expect(views[0]).toEqual({
      name: 'source:crm',
      capacity: 5,
      held: 2,
      available: 3,
      shards: [
        { key: 'source:crm#0', capacity: 3, held: 2, available: 1 },
        { key: 'source:crm#1', capacity: 2, held: 0, available: 2 },
      ],
      holders: [{ owner: 'a', key: 'source:crm#0', permits: 2, leaseExpiresAt: '2026-11-23T00:00:00.000Z' }],
      waiters: [
        { owner: 'b', key: 'source:crm#0', position: 1, want: 2, min: 1, enqueuedAt: '2026-11-23T00:00:00.000Z' },
        { owner: 'c', key: 'source:crm#1', position: 1, want: 1, min: 1, enqueuedAt: '2026-11-23T00:00:00.000Z' },
      ],
    });
  });

  it('orders shard keys numerically (#10 after #9)', () => {
    const entities = [10, 9].map((i) => ({ key: `target:pg#${i}`, lastOperationTime: '', state: { capacity: 1, holders: {}, waiters: [] } }));
    expect(semaphoreViews(entities)[0]?.shards.map((s) => s.key)).toEqual(['target:pg#9', 'target:pg#10']);
  });

  it('refuses a damaged entity state instead of showing wrong numbers', () => {
    expect(() => semaphoreViews([{ key: 'target:pg', lastOperationTime: '', state: { capacity: 0 } }])).toThrow('semaphore(target:pg): stored state invalid');
  });
});
