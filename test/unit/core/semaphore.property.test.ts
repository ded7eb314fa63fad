import fc from 'fast-check';
import {
  acquire,
  cancel,
  createSemaphoreState,
  heldPermits,
  reap,
  release,
  semaphoreStateSchema,
  semaphoreViolations,
  renew,
  setCapacity,
  shardFor,
  splitCapacity,
  type Grant,
  type SemaphoreState,
  type SemaphoreWaiter,
} from '../../../core/semaphore';
import { isSluiceError } from '../../../core/errors';

type Op =
  | { kind: 'acquire'; owner: string; want: number; min: number; leaseInMs: number }
  | { kind: 'release'; owner: string }
  | { kind: 'cancel'; owner: string }
  | { kind: 'renew'; owner: string; leaseInMs: number }
  | { kind: 'setCapacity'; capacity: number }
  | { kind: 'reap' };

const owners = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7'];
const ownerArb = fc.constantFrom(...owners);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('acquire' as const), owner: ownerArb, want: fc.integer({ min: 1, max: 5 }), min: fc.integer({ min: 1, max: 5 }), leaseInMs: fc.integer({ min: 1, max: 50 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), owner: ownerArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), owner: ownerArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('renew' as const), owner: ownerArb, leaseInMs: fc.integer({ min: 1, max: 50 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setCapacity' as const), capacity: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reap' as const) }) },
);
const stepArb = fc.record({ op: opArb, advanceMs: fc.integer({ min: 0, max: 20 }) });

interface Applied {
  state: SemaphoreState;
  granted: Grant[];
  /** The queue a FIFO grant must be a prefix of: previous waiters, minus removed ones, plus a new tail. */
  expectedQueue: SemaphoreWaiter[];
}

function apply(state: SemaphoreState, op: Op, nowMs: number): Applied {
  switch (op.kind) {
    case 'acquire': {
      const min = Math.min(op.min, op.want);
      const holder = state.holders[op.owner];
      const known = (holder !== undefined && holder.leaseExpiresAtMs > nowMs) || state.waiters.some((w) => w.owner === op.owner);
      if (min > state.capacity) return { state, granted: [], expectedQueue: state.waiters };
      const r = acquire(state, { owner: op.owner, want: op.want, min, leaseInMs: op.leaseInMs }, nowMs);
      const tail = known ? [] : [{ owner: op.owner, want: op.want, min, leaseInMs: op.leaseInMs, enqueuedAtMs: nowMs }];
      return { state: r.state, granted: r.granted, expectedQueue: [...state.waiters, ...tail] };
    }
    case 'release':
      return { ...release(state, op.owner, nowMs), expectedQueue: state.waiters };
    case 'cancel':
      return { ...cancel(state, op.owner, nowMs), expectedQueue: state.waiters.filter((w) => w.owner !== op.owner) };
    case 'renew':
      try {
        return { ...renew(state, op.owner, op.leaseInMs, nowMs), expectedQueue: state.waiters };
      } catch (error) {
        if (isSluiceError(error) && error.code === 'PermitLeaseExpired') return { state, granted: [], expectedQueue: state.waiters };
        throw error;
      }
    case 'setCapacity': {
      const r = setCapacity(state, op.capacity, nowMs);
      return { state: r.state, granted: r.granted, expectedQueue: state.waiters.filter((w) => w.min <= op.capacity) };
    }
    case 'reap':
      return { ...reap(state, nowMs), expectedQueue: state.waiters };
  }
}

const runs = { numRuns: 400 };

/** Plain assertions in the hot loop: jest's expect costs more than the code under test. */
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function sameList(actual: string[], expected: string[], what: string): void {
  check(actual.length === expected.length && actual.every((v, i) => v === expected[i]), `${what}: got [${actual.join(',')}], expected [${expected.join(',')}]`);
}

describe('semaphore properties', () => {
  it('never grants beyond capacity, never grants an owner twice, grants in FIFO order within min..want', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(stepArb, { minLength: 10, maxLength: 60, size: 'max' }), (capacity, steps) => {
        let state = createSemaphoreState(capacity);
        let nowMs = 0;
        for (const { op, advanceMs } of steps) {
          nowMs += advanceMs;
          const before = state;
          const { state: after, granted, expectedQueue } = apply(state, op, nowMs);
          const held = heldPermits(after);
          // Invariant 1: a grant never pushes held permits above capacity; held only exceeds it after a lowering.
          if (granted.length > 0) check(held <= after.capacity, `granted while ${held} > capacity ${after.capacity}`);
          check(held <= Math.max(heldPermits(before), after.capacity), `held grew to ${held} beyond capacity ${after.capacity}`);
          // No owner granted twice: granted owners are distinct and did not hold a live lease before.
          const grantedOwners = granted.map((g) => g.owner);
          check(new Set(grantedOwners).size === grantedOwners.length, `an owner granted twice: ${grantedOwners.join(',')}`);
          for (const owner of grantedOwners) check((before.holders[owner]?.leaseExpiresAtMs ?? -Infinity) <= nowMs, `"${owner}" granted while holding`);
          // FIFO: the granted owners are exactly the head of the queue, the rest stays queued in order.
          sameList(grantedOwners, expectedQueue.slice(0, granted.length).map((w) => w.owner), 'granted = head of the queue');
          sameList(after.waiters.map((w) => w.owner), expectedQueue.slice(granted.length).map((w) => w.owner), 'the rest stays queued in order');
          for (const g of granted) {
            const waiter = expectedQueue.find((w) => w.owner === g.owner)!;
            check(g.permits >= waiter.min && g.permits <= waiter.want, `"${g.owner}" got ${g.permits}, outside ${waiter.min}..${waiter.want}`);
          }
          // Structural invariants (never holding and waiting, waiting once) and invariant 4 (no idle capacity while someone waits).
          const violations = semaphoreViolations(after);
          check(violations.length === 0, violations.join('; '));
          state = after;
        }
        // The state survives the JSON round trip a Durable entity makes, and validates on load.
        expect(semaphoreStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
      }),
      runs,
    );
  });

  it('release is idempotent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(stepArb, { maxLength: 30, size: 'max' }), ownerArb, (capacity, steps, owner) => {
        let state = createSemaphoreState(capacity);
        let nowMs = 0;
        for (const { op, advanceMs } of steps) state = apply(state, op, (nowMs += advanceMs)).state;
        const once = release(state, owner, nowMs);
        const twice = release(once.state, owner, nowMs);
        expect(twice.state).toEqual(once.state);
        expect(twice.granted).toEqual([]);
      }),
      runs,
    );
  });

  it('reap frees exactly the expired leases', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(stepArb, { maxLength: 40, size: 'max' }), fc.integer({ min: 0, max: 100 }), (capacity, steps, later) => {
        let state = createSemaphoreState(capacity);
        let nowMs = 0;
        for (const { op, advanceMs } of steps) state = apply(state, op, (nowMs += advanceMs)).state;
        const reapAt = nowMs + later;
        const result = reap(state, reapAt);
        for (const { owner } of result.reclaimed) expect(state.holders[owner]!.leaseExpiresAtMs).toBeLessThanOrEqual(reapAt);
        for (const [owner, holder] of Object.entries(state.holders)) {
          if (holder.leaseExpiresAtMs > reapAt) expect(result.state.holders[owner]).toEqual(holder);
          else expect(result.reclaimed.map((r) => r.owner)).toContain(owner);
        }
      }),
      runs,
    );
  });

  it('splitCapacity shares sum to the capacity, are >= 0 and differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 64 }), (capacity, shards) => {
        const shares = splitCapacity(capacity, shards);
        expect(shares).toHaveLength(shards);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(capacity);
        expect(Math.min(...shares)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
      runs,
    );
  });

  it('shardFor is deterministic and within range', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (owner, shards) => {
        const shard = shardFor(owner, shards);
        expect(shard).toBe(shardFor(owner, shards));
        expect(Number.isInteger(shard) && shard >= 0 && shard < shards).toBe(true);
      }),
      runs,
    );
  });
});
