import fc from 'fast-check';
import type { StreamEvent } from '../../../core/coalesce';
import { append, createStreamState, MAX_RECENT_DELIVERY_IDS, streamStateSchema, type EventOrigin, type StreamState } from '../../../core/stream';

const options = { nowMs: 1_000, candidateWorkerId: 'w1', leaseInMs: 60_000 };
const event = (n: number): StreamEvent => ({ stream: 's', occurredAtMs: n, records: [{ id: String(n), v: n }] });
const origin = (n: number): EventOrigin => ({ correlationId: `m-${n}`, enqueuedAtMs: null, deliveryId: String(n) });

/** Appends the messages with the given sequence numbers as one batch. */
function appendBatch(state: StreamState, sequenceNumbers: readonly number[]): StreamState {
  return append(state, sequenceNumbers.map(event), options, sequenceNumbers.map(origin)).state;
}

describe('stream append: delivery dedup (a redelivered message is appended once)', () => {
  it('skips the messages of a batch delivered again, whole, shorter or longer, and appends only the new ones', () => {
    let state = appendBatch(createStreamState('s'), [1, 2, 3, 4]);
    state = appendBatch(state, [1, 2, 3, 4]);
    state = appendBatch(state, [3, 4]);
    state = appendBatch(state, [3, 4, 5, 6]);
    expect(state.pending.map((p) => p.origin?.deliveryId)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(state.counters.eventsAppended).toBe(6);
    expect(state.recentDeliveryIds).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('appends events without a delivery id as before, and leaves a stream of only duplicates unchanged', () => {
    const state = appendBatch(createStreamState('s'), [7]);
    expect(append(state, [event(7)], options, [origin(7)]).state).toBe(state);
    expect(append(state, [event(8)], options).state.pending).toHaveLength(2);
  });

  it('remembers at most MAX_RECENT_DELIVERY_IDS ids, newest kept, and loads states stored before dedup', () => {
    const many = Array.from({ length: MAX_RECENT_DELIVERY_IDS + 5 }, (_, i) => i + 1);
    const state = appendBatch(createStreamState('s'), many);
    expect(state.recentDeliveryIds).toHaveLength(MAX_RECENT_DELIVERY_IDS);
    expect(state.recentDeliveryIds[0]).toBe('6');
    const { recentDeliveryIds: _omitted, ...older } = state;
    expect(streamStateSchema.parse(older).recentDeliveryIds).toEqual([]);
  });

  it('property: any redelivery pattern (batches repeated, cut or extended) appends every message exactly once, in first-delivery order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(40), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 30 }),
        (deliveries) => {
          let state = createStreamState('s');
          const expected: number[] = [];
          for (const [start, length] of deliveries) {
            const batch = Array.from({ length }, (_, i) => start + i + 1);
            for (const n of batch) if (!expected.includes(n)) expected.push(n);
            state = appendBatch(state, batch);
          }
          expect(state.pending.map((p) => Number(p.origin?.deliveryId))).toEqual(expected);
          expect(state.counters.eventsAppended).toBe(expected.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
