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

  it('the sqlite store answers every query like the memory store after any sequence of commits', () => {
    fc.assert(
      fc.property(fc.array(commitArb, { maxLength: 8 }), fc.integer({ min: 0, max: 100 }), (commits, nowMs) => {
        const memory = new MemoryStore();
        const sqlite = new SqliteStore(':memory:');
        for (const c of commits) {
          memory.commit(c);
          sqlite.commit(c);
        }
        for (const queue of ['orchestration', 'entity'] as const) {
          expect(sqlite.readyTargets(queue, nowMs, new Set(), 10).sort()).toEqual(memory.readyTargets(queue, nowMs, new Set(), 10).sort());
          expect(sqlite.readyMessages(queue, nowMs, new Set(), 10)).toEqual(memory.readyMessages(queue, nowMs, new Set(), 10));
          for (const t of ['a', 'b', 'c']) expect(sqlite.messagesFor(queue, t, nowMs)).toEqual(memory.messagesFor(queue, t, nowMs));
        }
        expect(sqlite.nextVisibleAfter(nowMs)).toEqual(memory.nextVisibleAfter(nowMs));
        sqlite.close();
      }),
      { numRuns: 100 },
    );
  });
});
