import fc from 'fast-check';
import { isSemaphoreState, semaphoreStateSchema } from '../../../core/semaphore';

/** Values near a valid state: each field either valid or one of the ways stored JSON can be wrong. */
const number = fc.oneof(fc.integer({ min: -3, max: 5 }), fc.constantFrom(0.5, -0.5, Number.MAX_SAFE_INTEGER + 2, 1e300, Infinity, NaN));
const anyField = fc.oneof(number, fc.constantFrom('', 'x', null, true, [], {}));
const field = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: anyField });
const withExtraOrMissing = (arb: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: arb },
    { weight: 1, arbitrary: arb.map((o) => ({ ...o, extra: 1 })) },
    { weight: 1, arbitrary: arb.map((o) => Object.fromEntries(Object.entries(o).slice(1))) },
    { weight: 1, arbitrary: anyField },
  );

const holder = withExtraOrMissing(fc.record({ permits: field(fc.integer({ min: 1, max: 4 })), leaseExpiresAtMs: field(fc.integer({ min: 0, max: 1e13 })) }));
const waiter = withExtraOrMissing(
  fc.record({
    owner: field(fc.constantFrom('o1', 'o2', 'stream-worker:s')),
    want: field(fc.integer({ min: 1, max: 4 })),
    min: field(fc.integer({ min: 1, max: 4 })),
    leaseInMs: field(fc.oneof(fc.integer({ min: 1, max: 1e6 }), fc.constant(0.25))),
    enqueuedAtMs: field(fc.integer({ min: 0, max: 1e13 })),
  }),
);
const state = withExtraOrMissing(
  fc.record({
    capacity: field(fc.integer({ min: 1, max: 8 })),
    holders: field(fc.dictionary(fc.constantFrom('o1', 'o2', 'o3', ''), holder, { maxKeys: 3 })),
    waiters: field(fc.array(waiter, { maxLength: 4 })),
  }),
);

describe('isSemaphoreState (the fast path of semaphoreStateSchema)', () => {
  it('accepts exactly what the schema accepts', () => {
    const outcomes = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(state, (value) => {
        const accepted = semaphoreStateSchema.safeParse(value).success;
        expect(isSemaphoreState(value)).toBe(accepted);
        outcomes[accepted ? 'accepted' : 'rejected']++;
      }),
      { numRuns: 3000 },
    );
    // Both sides are exercised, or the agreement would say nothing.
    expect(outcomes.accepted).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(100);
  });

  it('accepts a valid state and rejects each kind of damage', () => {
    const valid = { capacity: 2, holders: { a: { permits: 1, leaseExpiresAtMs: 5 } }, waiters: [{ owner: 'b', want: 1, min: 1, leaseInMs: 10, enqueuedAtMs: 3 }] };
    expect(isSemaphoreState(valid)).toBe(true);
    expect(isSemaphoreState({ ...valid, capacity: 0 })).toBe(false);
    expect(isSemaphoreState({ ...valid, holders: { a: { permits: 1 } } })).toBe(false);
    expect(isSemaphoreState({ ...valid, waiters: [{ ...valid.waiters[0], owner: '' }] })).toBe(false);
    expect(isSemaphoreState({ ...valid, waiters: [{ ...valid.waiters[0], leaseInMs: 0 }] })).toBe(false);
    expect(isSemaphoreState({ ...valid, note: 'x' })).toBe(false);
  });
});
