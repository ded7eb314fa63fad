import type { SemaphoreState } from '../../../core/semaphore';
import { loadApp } from '../../support/durable-app';
import { runBatch } from '../../support/entity-batch';

const app = loadApp();
const key = 'target:pg';
const acquire = (owner: string, nowMs: number, extra: Record<string, unknown> = {}) => ({
  name: 'acquire',
  input: { owner, want: 1, leaseInMs: 1_000, capacityIfNew: 2, nowMs, ...extra },
});

describe('semaphore entity', () => {
  it('creates the semaphore with capacityIfNew, grants up to capacity and queues the rest in FIFO order', async () => {
    const out = await runBatch<SemaphoreState>(app, 'semaphore', key, undefined, [acquire('a', 0), acquire('b', 0), acquire('c', 0), acquire('d', 0)]);
    expect(out.errors).toEqual([]);
    expect(out.results.map((r) => (r as { value: { outcome: unknown } }).value.outcome)).toEqual([
      { kind: 'holding', permits: 1, leaseExpiresAtMs: 1_000 },
      { kind: 'holding', permits: 1, leaseExpiresAtMs: 1_000 },
      { kind: 'waiting', position: 1 },
      { kind: 'waiting', position: 2 },
    ]);
    expect(out.state?.capacity).toBe(2);
  });

  it('returns the owners a release granted so the caller can notify them, and release is idempotent', async () => {
    const setup = await runBatch<SemaphoreState>(app, 'semaphore', key, undefined, [acquire('a', 0), acquire('b', 0), acquire('c', 0)]);
    const out = await runBatch(app, 'semaphore', key, setup.state, [
      { name: 'release', input: { owner: 'a', nowMs: 10 } },
      { name: 'release', input: { owner: 'a', nowMs: 11 } },
      acquire('c', 12),
    ]);
    expect(out.results[0]).toEqual({ ok: true, value: { granted: [{ owner: 'c', permits: 1, leaseExpiresAtMs: 1_010 }] } });
    expect(out.results[1]).toEqual({ ok: true, value: { granted: [] } });
    expect(out.results[2]).toEqual({ ok: true, value: { outcome: { kind: 'holding', permits: 1, leaseExpiresAtMs: 1_010 }, granted: [] } });
  });

  it('grants waiters when capacity is raised at run time and rejects waiters a lowered capacity can never serve', async () => {
    const setup = await runBatch<SemaphoreState>(app, 'semaphore', key, undefined, [acquire('a', 0), acquire('b', 0), acquire('c', 0), acquire('d', 0, { want: 2 })]);
    const raised = await runBatch<SemaphoreState>(app, 'semaphore', key, setup.state, [{ name: 'setCapacity', input: { capacity: 3, nowMs: 5 } }]);
    expect(raised.results[0]).toEqual({ ok: true, value: { capacity: 3, granted: [{ owner: 'c', permits: 1, leaseExpiresAtMs: 1_005 }], rejected: [] } });
    const lowered = await runBatch(app, 'semaphore', key, raised.state, [{ name: 'setCapacity', input: { capacity: 1, nowMs: 6 } }]);
    expect(lowered.results[0]).toEqual({ ok: true, value: { capacity: 1, granted: [], rejected: ['d'] } });
  });

  it('reaps expired leases, grants the next waiter and reports when the next lease ends', async () => {
    const setup = await runBatch<SemaphoreState>(app, 'semaphore', key, undefined, [acquire('a', 0), acquire('b', 500), acquire('c', 600)]);
    const out = await runBatch(app, 'semaphore', key, setup.state, [
      { name: 'renew', input: { owner: 'b', leaseInMs: 1_000, nowMs: 900 } },
      { name: 'reap', input: { nowMs: 1_000 } },
      { name: 'renew', input: { owner: 'a', leaseInMs: 1_000, nowMs: 1_001 } },
      { name: 'get', input: { owner: 'c' } },
    ]);
    expect(out.results[0]).toEqual({ ok: true, value: { leaseExpiresAtMs: 1_900 } });
    expect(out.results[1]).toEqual({
      ok: true,
      value: { granted: [{ owner: 'c', permits: 1, leaseExpiresAtMs: 2_000 }], reclaimed: [{ owner: 'a', permits: 1 }], nextLeaseExpiryMs: 1_900 },
    });
    expect(out.results[2]).toMatchObject({ ok: false, error: { code: 'PermitLeaseExpired' } });
    expect(out.results[3]).toMatchObject({ ok: true, value: { capacity: 2, held: 2, available: 0, standing: { kind: 'holding' } } });
  });

  it('lets a waiter cancel so the one behind it is granted', async () => {
    const setup = await runBatch<SemaphoreState>(app, 'semaphore', key, undefined, [acquire('a', 0, { want: 2 }), acquire('b', 0, { want: 2 }), acquire('c', 0)]);
    const out = await runBatch(app, 'semaphore', key, setup.state, [
      { name: 'release', input: { owner: 'a', nowMs: 1 } },
      { name: 'cancel', input: { owner: 'b', nowMs: 2 } },
    ]);
    expect(out.results[0]).toEqual({ ok: true, value: { granted: [{ owner: 'b', permits: 2, leaseExpiresAtMs: 1_001 }] } });
    expect(out.results[1]).toEqual({ ok: true, value: { granted: [] } });
  });

  it('refuses keys that are not source:/target: names and reads of a semaphore that does not exist', async () => {
    const badKey = await runBatch(app, 'semaphore', 'pg', undefined, [acquire('a', 0)]);
    expect(badKey.results[0]).toMatchObject({ ok: false, error: { code: 'InvalidArgument', message: expect.stringContaining('"source:<name>"') } });
    const missing = await runBatch(app, 'semaphore', 'source:crm#1', undefined, [{ name: 'get', input: {} }, { name: 'release', input: { owner: 'a', nowMs: 0 } }]);
    expect(missing.results[0]).toMatchObject({ ok: false, error: { code: 'SemaphoreNotFound' } });
    expect(missing.results[1]).toEqual({ ok: true, value: { granted: [] } });
    expect(missing.state).toBeUndefined();
  });
});
