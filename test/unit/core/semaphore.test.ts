import { isSluiceError } from '../../../core/errors';
import {
  acquire,
  acquireRequestSchema,
  cancel,
  createSemaphoreState,
  heldPermits,
  nextLeaseExpiryMs,
  reap,
  release,
  renew,
  semaphoreViolations,
  setCapacity,
  shardFor,
  shardKey,
  splitCapacity,
  standing,
  type SemaphoreState,
} from '../../../core/semaphore';

const lease = 1_000;

function hold(state: SemaphoreState, owner: string, want: number, nowMs = 0, min?: number): SemaphoreState {
  return acquire(state, { owner, want, min, leaseInMs: lease }, nowMs).state;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isSluiceError(error) ? error.code : 'not a SluiceError';
  }
  return undefined;
}

describe('semaphore acquire', () => {
  it('grants at once when permits are free and reports the lease', () => {
    const result = acquire(createSemaphoreState(3), { owner: 'a', want: 2, leaseInMs: lease }, 100);
    expect(result.granted).toEqual([{ owner: 'a', permits: 2, leaseExpiresAtMs: 1_100 }]);
    expect(result.outcome).toEqual({ kind: 'holding', permits: 2, leaseExpiresAtMs: 1_100 });
    expect(heldPermits(result.state)).toBe(2);
  });

  it('grants between min and want when fewer than want are free', () => {
    const state = hold(createSemaphoreState(4), 'a', 3);
    const result = acquire(state, { owner: 'b', want: 4, min: 1, leaseInMs: lease }, 0);
    expect(result.granted).toEqual([{ owner: 'b', permits: 1, leaseExpiresAtMs: lease }]);
  });

  it('queues when fewer than min are free and reports the queue position', () => {
    let state = hold(createSemaphoreState(2), 'a', 2);
    state = hold(state, 'b', 1);
    const result = acquire(state, { owner: 'c', want: 1, leaseInMs: lease }, 5);
    expect(result.granted).toEqual([]);
    expect(result.outcome).toEqual({ kind: 'waiting', position: 2 });
    expect(standing(result.state, 'c')).toEqual({ kind: 'waiting', position: 2, want: 1, min: 1, permitsAhead: 1, available: 0 });
  });

  it('is idempotent for an owner that already holds or waits', () => {
    const held = hold(createSemaphoreState(1), 'a', 1);
    const again = acquire(held, { owner: 'a', want: 1, leaseInMs: lease }, 50);
    expect(again.state).toBe(held);
    expect(again.granted).toEqual([]);
    expect(again.outcome).toEqual({ kind: 'holding', permits: 1, leaseExpiresAtMs: lease });

    const waiting = hold(held, 'b', 1);
    const twice = acquire(waiting, { owner: 'b', want: 1, leaseInMs: lease }, 60);
    expect(twice.state).toBe(waiting);
    expect(twice.outcome).toEqual({ kind: 'waiting', position: 1 });
  });

  it('queues a holder whose lease ended as a newcomer instead of reporting an expired holding', () => {
    let state = hold(createSemaphoreState(1), 'a', 1, 0);
    state = hold(state, 'b', 1, 10);
    const again = acquire(state, { owner: 'a', want: 1, leaseInMs: lease }, lease);
    expect(again.granted).toEqual([{ owner: 'b', permits: 1, leaseExpiresAtMs: 2 * lease }]);
    expect(again.outcome).toEqual({ kind: 'waiting', position: 1 });
    expect(again.state.holders['a']).toBeUndefined();
  });

  it('keeps strict FIFO: a later small request does not overtake an earlier big one', () => {
    let state = hold(createSemaphoreState(4), 'a', 3);
    state = hold(state, 'big', 4);
    const small = acquire(state, { owner: 'small', want: 1, leaseInMs: lease }, 0);
    expect(small.granted).toEqual([]);
    expect(small.outcome).toEqual({ kind: 'waiting', position: 2 });
    const released = release(small.state, 'a', 10);
    expect(released.granted.map((g) => g.owner)).toEqual(['big']);
    expect(standing(released.state, 'small')).toMatchObject({ kind: 'waiting', position: 1 });
  });

  it('rejects requests that can never be granted or are malformed', () => {
    const state = createSemaphoreState(2);
    expect(codeOf(() => acquire(state, { owner: 'a', want: 3, leaseInMs: lease }, 0))).toBe('InvalidArgument');
    expect(codeOf(() => acquire(state, { owner: 'a', want: 1, min: 2, leaseInMs: lease }, 0))).toBe('InvalidArgument');
    expect(codeOf(() => acquire(state, { owner: '', want: 1, leaseInMs: lease }, 0))).toBe('InvalidArgument');
    expect(codeOf(() => acquire(state, { owner: 'a', want: 1.5, leaseInMs: lease }, 0))).toBe('InvalidArgument');
    expect(codeOf(() => acquire(state, { owner: 'a', want: 1, leaseInMs: 0 }, 0))).toBe('InvalidArgument');
    expect(codeOf(() => createSemaphoreState(0))).toBe('InvalidArgument');
  });
});

describe('semaphore release and cancel', () => {
  it('grants the waiters that now fit, in queue order', () => {
    let state = hold(createSemaphoreState(3), 'a', 3);
    state = hold(state, 'b', 1, 1);
    state = hold(state, 'c', 2, 2);
    const result = release(state, 'a', 7);
    expect(result.granted).toEqual([
      { owner: 'b', permits: 1, leaseExpiresAtMs: 1_007 },
      { owner: 'c', permits: 2, leaseExpiresAtMs: 1_007 },
    ]);
    expect(result.state.waiters).toEqual([]);
  });

  it('is idempotent: releasing twice or releasing a stranger changes nothing', () => {
    const state = hold(createSemaphoreState(2), 'a', 1);
    const once = release(state, 'a', 1).state;
    const twice = release(once, 'a', 2);
    expect(twice.state).toBe(once);
    expect(twice.granted).toEqual([]);
    expect(release(state, 'nobody', 3).state).toBe(state);
  });

  it('cancel removes a waiter and lets the ones behind it through', () => {
    let state = hold(createSemaphoreState(2), 'a', 1);
    state = hold(state, 'big', 2);
    state = hold(state, 'small', 1);
    const result = cancel(state, 'big', 9);
    expect(result.granted.map((g) => g.owner)).toEqual(['small']);
    expect(cancel(result.state, 'big', 10).state).toBe(result.state);
  });
});

describe('semaphore renew and reap', () => {
  it('renew extends a live lease', () => {
    const state = hold(createSemaphoreState(1), 'a', 1, 0);
    expect(renew(state, 'a', 5_000, 500).state.holders['a']).toEqual({ permits: 1, leaseExpiresAtMs: 5_500 });
  });

  it('renew of an expired or unknown holder fails with PermitLeaseExpired', () => {
    const state = hold(createSemaphoreState(1), 'a', 1, 0);
    expect(codeOf(() => renew(state, 'a', lease, lease))).toBe('PermitLeaseExpired');
    expect(codeOf(() => renew(state, 'ghost', lease, 0))).toBe('PermitLeaseExpired');
  });

  it('reap reclaims only expired leases and grants the freed permits', () => {
    let state = hold(createSemaphoreState(2), 'old', 1, 0);
    state = hold(state, 'young', 1, 500);
    state = hold(state, 'waiter', 1, 600);
    expect(nextLeaseExpiryMs(state)).toBe(1_000);
    const result = reap(state, 1_000);
    expect(result.reclaimed).toEqual([{ owner: 'old', permits: 1 }]);
    expect(result.granted).toEqual([{ owner: 'waiter', permits: 1, leaseExpiresAtMs: 2_000 }]);
    expect(Object.keys(result.state.holders).sort()).toEqual(['waiter', 'young']);
    expect(reap(result.state, 1_000).state).toBe(result.state);
  });
});

describe('semaphore setCapacity', () => {
  it('raising the capacity grants waiters at once', () => {
    let state = hold(createSemaphoreState(1), 'a', 1);
    state = hold(state, 'b', 1);
    state = hold(state, 'c', 1);
    const result = setCapacity(state, 3, 4);
    expect(result.granted.map((g) => g.owner)).toEqual(['b', 'c']);
  });

  it('lowering the capacity keeps holders and grants nothing until holders drop below it', () => {
    let state = hold(createSemaphoreState(3), 'a', 1);
    state = hold(state, 'b', 1);
    state = hold(state, 'c', 1);
    state = setCapacity(state, 2, 0).state;
    state = hold(state, 'd', 1);
    expect(heldPermits(state)).toBe(3);
    let step = release(state, 'a', 1);
    expect(step.granted).toEqual([]);
    step = release(step.state, 'b', 2);
    expect(step.granted.map((g) => g.owner)).toEqual(['d']);
    expect(heldPermits(step.state)).toBe(2);
  });

  it('rejects waiters whose min no longer fits so they cannot block the queue forever', () => {
    let state = hold(createSemaphoreState(4), 'a', 4);
    state = hold(state, 'big', 3);
    state = hold(state, 'small', 1);
    const result = setCapacity(state, 2, 0);
    expect(result.rejected.map((w) => w.owner)).toEqual(['big']);
    expect(result.state.waiters.map((w) => w.owner)).toEqual(['small']);
  });

  it('survives a JSON round trip (a Durable entity stores the state as JSON)', () => {
    let state = hold(createSemaphoreState(2), 'a', 2);
    state = hold(state, 'b', 1);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});

describe('semaphore sharding helpers', () => {
  it('splits capacity with the larger shares first and names shard keys', () => {
    expect(splitCapacity(10, 4)).toEqual([3, 3, 2, 2]);
    expect(splitCapacity(2, 4)).toEqual([1, 1, 0, 0]);
    expect(shardKey('target:pg', 2, 4)).toBe('target:pg#2');
    expect(shardKey('target:pg', 0, 1)).toBe('target:pg');
    expect(codeOf(() => shardKey('target:pg', 4, 4))).toBe('InvalidArgument');
    expect(codeOf(() => splitCapacity(3, 0))).toBe('InvalidArgument');
  });

  it('spreads owners over the shards', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[shardFor(`stream-worker-${i}`, 4)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(60);
  });
});

describe('semaphore run-time checks', () => {
  it('reports broken states: double waits, holding while waiting, a head waiter left idle', () => {
    const broken: SemaphoreState = {
      capacity: 3,
      holders: { a: { permits: 1, leaseExpiresAtMs: 10 } },
      waiters: [
        { owner: 'a', want: 1, min: 1, leaseInMs: 5, enqueuedAtMs: 0 },
        { owner: 'b', want: 1, min: 1, leaseInMs: 5, enqueuedAtMs: 0 },
        { owner: 'b', want: 1, min: 2, leaseInMs: 5, enqueuedAtMs: 0 },
      ],
    };
    expect(semaphoreViolations(broken)).toEqual([
      'owner "a" both holds and waits',
      'owner "b" waits twice',
      'waiter "b" has min 2 outside 1..want 1',
      'waiter "a" needs 1 and 2 are free, but it was not granted',
    ]);
    expect(semaphoreViolations(hold(hold(createSemaphoreState(1), 'a', 1), 'b', 1))).toEqual([]);
  });

  it('validates acquire requests arriving at the entity', () => {
    expect(acquireRequestSchema.safeParse({ owner: 'o', want: 2, min: 1, leaseInMs: 10 }).success).toBe(true);
    expect(acquireRequestSchema.safeParse({ owner: '', want: 2, leaseInMs: 10 }).success).toBe(false);
    expect(acquireRequestSchema.safeParse({ owner: 'o', want: 0, leaseInMs: 10 }).success).toBe(false);
    expect(acquireRequestSchema.safeParse({ owner: 'o', want: 1, leaseInMs: 10, extra: 1 }).success).toBe(false);
  });
});
