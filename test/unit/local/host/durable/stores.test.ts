import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { MemoryStore } from '../../../../../local/host/durable/store/memory-store';
import { SqliteStore } from '../../../../../local/host/durable/store/sqlite-store';
import type { Commit, DurableStore } from '../../../../../local/host/durable/store/durable-store';
import type { InstanceRecord, RuntimeStatus } from '../../../../../local/host/durable/types';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let dbCounter = 0;
const stores: Array<[string, () => DurableStore]> = [
  ['memory', () => new MemoryStore()],
  ['sqlite', () => new SqliteStore(join(dir, `t${dbCounter++}.sqlite`))],
];

function instance(id: string, status: RuntimeStatus, createdMs: number): InstanceRecord {
  return {
    instanceId: id,
    name: 'orch',
    version: '',
    executionId: 'e1',
    status,
    input: null,
    output: null,
    customStatus: null,
    createdMs,
    updatedMs: createdMs,
    parent: null,
    engine: { nextEventId: 0, actionSignatures: [], openTasks: {}, heldLocks: null },
  };
}

describe.each(stores)('%s store', (_name, create) => {
  it('returns visible messages per target in arrival order and hides future ones', () => {
    const store = create();
    store.commit({
      addMessages: [
        { queue: 'orchestration', target: 'a', visibleAtMs: 10, body: { type: 'EventRaised', name: 'x', input: null } },
        { queue: 'orchestration', target: 'b', visibleAtMs: 5, body: { type: 'EventRaised', name: 'y', input: null } },
        { queue: 'orchestration', target: 'a', visibleAtMs: 100, body: { type: 'EventRaised', name: 'later', input: null } },
        { queue: 'orchestration', target: 'a', visibleAtMs: 1, body: { type: 'EventRaised', name: 'z', input: null } },
      ],
    });
    expect(store.messagesFor('orchestration', 'a', 50).map((m) => (m.body as { name: string }).name)).toEqual(['x', 'z']);
    expect(store.readyTargets('orchestration', 50, new Set(), 10).sort()).toEqual(['a', 'b']);
    expect(store.readyTargets('orchestration', 50, new Set(['a']), 10)).toEqual(['b']);
    expect(store.nextVisibleAfter(50)).toBe(100);
    store.commit({ deleteMessagesFor: ['a'] });
    expect(store.messagesFor('orchestration', 'a', 1000)).toEqual([]);
    store.close();
  });

  it('returns timers that become due in id order among the visible messages, and never deleted ones', () => {
    const store = create();
    const raised = (target: string, visibleAtMs: number, name: string) =>
      ({ queue: 'orchestration' as const, target, visibleAtMs, body: { type: 'EventRaised' as const, name, input: null } });
    const timers = Array.from({ length: 1000 }, (_, i) => raised(`w-${i}`, 1000 + i, `timer-${i}`));
    store.commit({ addMessages: [...timers, raised('x', 0, 'now')] });
    expect(store.readyMessages('orchestration', 10, new Set(), 10).map((m) => m.target)).toEqual(['x']);
    expect(store.nextVisibleAfter(10)).toBe(1000);
    store.commit({ deleteMessagesFor: ['w-0', 'w-2'], addMessages: [raised('y', 10, 'later')] });
    expect(store.nextVisibleAfter(10)).toBe(1001);
    // At 1003 timers 1 and 3 are due: older ids than x's and y's messages, so they come first.
    expect(store.readyMessages('orchestration', 1003, new Set(), 10).map((m) => m.target)).toEqual(['w-1', 'w-3', 'x', 'y']);
    expect(store.readyTargets('orchestration', 1003, new Set(['w-1']), 3).sort()).toEqual(['w-3', 'x', 'y']);
    expect(store.nextVisibleAfter(1003)).toBe(1004);
    // A caller whose clock went back still sees only what is visible at its time.
    expect(store.readyMessages('orchestration', 10, new Set(), 10).map((m) => m.target)).toEqual(['x', 'y']);
    expect(store.nextVisibleAfter(10)).toBe(1001);
    store.close();
  });

  it('applies instance, history and entity changes and queries them with filters', () => {
    const store = create();
    store.commit({
      putInstances: [instance('p-1', 'Completed', 10), instance('p-2', 'Running', 20), instance('q-1', 'Completed', 30)],
      appendHistory: [{ instanceId: 'p-1', events: [{ EventType: 12, EventId: -1, IsPlayed: false, Timestamp: 't' }] }],
      putEntities: [{ entityId: '@c@k', name: 'c', key: 'k', exists: true, state: '1', lockedBy: null, lastOperationMs: 5 }],
    });
    expect(store.queryInstances({ instanceIdPrefix: 'p-' }).map((r) => r.instanceId)).toEqual(['p-1', 'p-2']);
    expect(store.queryInstances({ statuses: ['Completed'], createdFromMs: 15 }).map((r) => r.instanceId)).toEqual(['q-1']);
    expect(store.queryInstances({ afterInstanceId: 'p-1', limit: 1 }).map((r) => r.instanceId)).toEqual(['p-2']);
    expect(store.getHistory('p-1')).toHaveLength(1);
    expect(store.queryEntities({ name: 'c' })).toHaveLength(1);
    store.commit({ deleteInstances: ['p-1'] });
    expect(store.getInstance('p-1')).toBeUndefined();
    expect(store.getHistory('p-1')).toEqual([]);
    store.close();
  });
});

describe('store equivalence', () => {
  const target = fc.constantFrom('a', 'b', 'c');
  const commitArb: fc.Arbitrary<Commit> = fc.record({
    addMessages: fc.array(
      fc.record({
        queue: fc.constantFrom('orchestration' as const, 'entity' as const),
        target,
        visibleAtMs: fc.integer({ min: 0, max: 100 }),
        body: fc.constant({ type: 'EventRaised' as const, name: 'n', input: null }),
      }),
      { maxLength: 4 },
    ),
    deleteMessages: fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 3 }),
    deleteMessagesFor: fc.array(target, { maxLength: 1 }),
  });

  // Queried after every commit at a random time (also earlier than before), so the memory store's promotion of
  // delayed messages, deletes on both sides of it and a clock going backwards are all compared with SQL.
  it('the sqlite store answers every query like the memory store after any sequence of commits and query times', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(commitArb, fc.integer({ min: 0, max: 100 })), { maxLength: 8 }), (steps) => {
        const memory = new MemoryStore();
        const sqlite = new SqliteStore(':memory:');
        for (const [c, nowMs] of steps) {
          memory.commit(c);
          sqlite.commit(c);
          for (const queue of ['orchestration', 'entity'] as const) {
            expect(sqlite.readyTargets(queue, nowMs, new Set(), 10).sort()).toEqual(memory.readyTargets(queue, nowMs, new Set(), 10).sort());
            expect(sqlite.readyMessages(queue, nowMs, new Set(), 10)).toEqual(memory.readyMessages(queue, nowMs, new Set(), 10));
            expect(sqlite.readyMessages(queue, nowMs, new Set([1, 2]), 1)).toEqual(memory.readyMessages(queue, nowMs, new Set([1, 2]), 1));
            for (const t of ['a', 'b', 'c']) expect(sqlite.messagesFor(queue, t, nowMs)).toEqual(memory.messagesFor(queue, t, nowMs));
          }
          expect(sqlite.nextVisibleAfter(nowMs)).toEqual(memory.nextVisibleAfter(nowMs));
        }
        sqlite.close();
      }),
      { numRuns: 200 },
    );
  });
});
