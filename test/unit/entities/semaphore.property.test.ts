import fc from 'fast-check';
import type { SemaphoreState } from '../../../core/semaphore';
import { loadApp } from '../../support/durable-app';
import { runBatch, type BatchOperation } from '../../support/entity-batch';

const app = loadApp();
const owners = ['a', 'b', 'c', 'd', 'e'];

type Command =
  | { kind: 'acquire'; owner: number; want: number; advance: number }
  | { kind: 'release' | 'cancel'; owner: number; advance: number }
  | { kind: 'setCapacity'; capacity: number; advance: number }
  | { kind: 'reap'; advance: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('acquire' as const), owner: fc.integer({ min: 0, max: 4 }), want: fc.integer({ min: 1, max: 2 }), advance: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constantFrom('release' as const, 'cancel' as const), owner: fc.integer({ min: 0, max: 4 }), advance: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('setCapacity' as const), capacity: fc.integer({ min: 2, max: 4 }), advance: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('reap' as const), advance: fc.integer({ min: 0, max: 40 }) }),
);

const held = (state: SemaphoreState) => Object.values(state.holders).reduce((sum, h) => sum + h.permits, 0);

describe('semaphore entity under random interleavings', () => {
  it('never grants more permits than capacity, never lists an owner twice, and reports every grant it makes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 40 }), fc.integer({ min: 1, max: 5 }), async (commands, batchSize) => {
        let state: SemaphoreState | undefined;
        let nowMs = 0;
        for (let start = 0; start < commands.length; start += batchSize) {
          const slice = commands.slice(start, start + batchSize);
          const ops: BatchOperation[] = slice.map((c) => {
            nowMs += c.advance;
            switch (c.kind) {
              case 'acquire':
                return { name: 'acquire', input: { owner: owners[c.owner], want: c.want, min: 1, leaseInMs: 100, capacityIfNew: 2, nowMs } };
              case 'release':
              case 'cancel':
                return { name: c.kind, input: { owner: owners[c.owner], nowMs } };
              case 'setCapacity':
                return { name: 'setCapacity', input: { capacity: c.capacity, nowMs } };
              case 'reap':
                return { name: 'reap', input: { nowMs } };
            }
          });
          // A `get` after every operation exposes the state between operations of one batch.
          const withReads = ops.flatMap((op) => [op, { name: 'get', input: {} }]);
          const before: SemaphoreState | undefined = state;
          const out = await runBatch<SemaphoreState>(app, 'semaphore', 'target:pg', state, withReads);
          expect(out.errors).toEqual([]);
          let previousHeld = before === undefined ? 0 : held(before);
          for (let i = 0; i < ops.length; i++) {
            expect(out.results[2 * i]).toMatchObject({ ok: true });
            const view = (out.results[2 * i + 1] as { ok: boolean; value: { capacity: number; held: number } });
            if (!view.ok) continue; // nothing created yet (release/reap/cancel before the first acquire)
            // Invariant 1: permits held only grow through grants, and a grant never goes beyond capacity.
            const granted = (out.results[2 * i] as { value: { granted?: unknown[] } }).value.granted ?? [];
            if (view.value.held > previousHeld || granted.length > 0) expect(view.value.held).toBeLessThanOrEqual(view.value.capacity);
            previousHeld = view.value.held;
          }
          state = out.state;
          if (state === undefined) continue;
          const waiting = state.waiters.map((w) => w.owner);
          expect(new Set(waiting).size).toBe(waiting.length);
          for (const owner of waiting) expect(state.holders[owner]).toBeUndefined();
          // Every waiter that became a holder without asking again in this batch was reported as granted.
          const reported = new Set(out.results.flatMap((r) => ((r as { value?: { granted?: Array<{ owner: string }> } }).value?.granted ?? []).map((g) => g.owner)));
          for (const owner of before?.waiters.map((w) => w.owner) ?? []) {
            if (state.holders[owner] !== undefined && !slice.some((c) => c.kind === 'acquire' && owners[c.owner] === owner)) expect(reported.has(owner)).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
