import fc from 'fast-check';
import { coalesce, compareVersions, countFitting, streamEventSchema, type StreamEvent } from '../../../core/coalesce';

const limits = { maxRecordsPerWindow: 10, maxBlobRefsPerWindow: 2, maxEventsPerWindow: 100 };
const keys = { keyColumns: ['id'], versionColumn: 'v' };

function rec(id: number, v: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, v, ...extra };
}

describe('stream event schema', () => {
  it('accepts a point event with records, a ranged notification and a blob ref', () => {
    expect(streamEventSchema.safeParse({ stream: 'UK_Account', occurredAtMs: 5, records: [{ id: 1 }] }).success).toBe(true);
    expect(streamEventSchema.safeParse({ stream: 'UK_Account', window: { sinceMs: 1, untilMs: 9 } }).success).toBe(true);
    expect(streamEventSchema.safeParse({ stream: 'UK_Account', occurredAtMs: 5, blobRef: { url: 'https://acct/c/b.csv' } }).success).toBe(true);
  });

  it('rejects both or neither of occurredAtMs/window, both records and blobRef, and inverted ranges', () => {
    expect(streamEventSchema.safeParse({ stream: 's' }).success).toBe(false);
    expect(streamEventSchema.safeParse({ stream: 's', occurredAtMs: 1, window: { sinceMs: 0, untilMs: 1 } }).success).toBe(false);
    expect(streamEventSchema.safeParse({ stream: 's', occurredAtMs: 1, records: [], blobRef: { url: 'u' } }).success).toBe(false);
    expect(streamEventSchema.safeParse({ stream: 's', window: { sinceMs: 5, untilMs: 1 } }).success).toBe(false);
    expect(streamEventSchema.safeParse({ stream: 's', occurredAtMs: 1, extra: true }).success).toBe(false);
  });
});

describe('coalesce', () => {
  it('merges records by key: the greatest version wins whatever the arrival order', () => {
    const events: StreamEvent[] = [
      { stream: 's', occurredAtMs: 10, records: [rec(1, 2, { name: 'new' }), rec(2, 1)] },
      { stream: 's', occurredAtMs: 11, records: [rec(1, 1, { name: 'old' })] },
      { stream: 's', occurredAtMs: 12, records: [rec(2, 3)] },
    ];
    const window = coalesce(events, 5, keys);
    expect(window.records).toEqual([rec(1, 2, { name: 'new' }), rec(2, 3)]);
    expect(window.recordsIn).toBe(4);
    expect(window).toMatchObject({ sinceMs: 5, untilMs: 12, events: 3, notifications: 0 });
  });

  it('lets the later event win on equal versions or without a version column', () => {
    const events: StreamEvent[] = [
      { stream: 's', occurredAtMs: 1, records: [{ id: 'a', x: 1 }] },
      { stream: 's', occurredAtMs: 2, records: [{ id: 'a', x: 2 }] },
    ];
    expect(coalesce(events, null, { keyColumns: ['id'] }).records).toEqual([{ id: 'a', x: 2 }]);
  });

  it('keeps records without a full key unmerged instead of dropping them', () => {
    const events: StreamEvent[] = [{ stream: 's', occurredAtMs: 1, records: [{ x: 1 }, { id: null, x: 2 }, { id: 1 }] }];
    expect(coalesce(events, null, keys).records).toEqual([{ x: 1 }, { id: null, x: 2 }, { id: 1 }]);
  });

  it('lists blob refs once each, in arrival order, and counts notifications', () => {
    const events: StreamEvent[] = [
      { stream: 's', occurredAtMs: 1, blobRef: { url: 'b1' } },
      { stream: 's', occurredAtMs: 2, blobRef: { url: 'b2', etag: 'e' } },
      { stream: 's', occurredAtMs: 3, blobRef: { url: 'b1' } },
      { stream: 's', occurredAtMs: 4 },
    ];
    const window = coalesce(events, null, keys);
    expect(window.blobRefs).toEqual([{ url: 'b1' }, { url: 'b2', etag: 'e' }]);
    expect(window.notifications).toBe(1);
    expect(window.sinceMs).toBeNull();
  });

  it('widens the window to an explicit range older than the watermark (a replay is never lost)', () => {
    const window = coalesce([{ stream: 's', window: { sinceMs: 100, untilMs: 150 } }], 500, keys);
    expect(window).toMatchObject({ sinceMs: 100, untilMs: 500 });
  });

  it('orders versions: numbers numerically, strings by code units, missing lowest', () => {
    expect(compareVersions(9, 10)).toBe(-1);
    expect(compareVersions('2026-01-02T00:00:00Z', '2026-01-01T23:59:59Z')).toBe(1);
    expect(compareVersions(null, 0)).toBe(-1);
    expect(compareVersions(undefined, null)).toBe(0);
  });
});

describe('countFitting', () => {
  it('takes events while records, refs and events fit, but always at least one', () => {
    const big: StreamEvent = { stream: 's', occurredAtMs: 1, records: Array.from({ length: 25 }, (_, i) => rec(i, 1)) };
    const small: StreamEvent = { stream: 's', occurredAtMs: 1, records: [rec(1, 1)] };
    const ref: StreamEvent = { stream: 's', occurredAtMs: 1, blobRef: { url: 'u' } };
    expect(countFitting([big, small], limits)).toBe(1);
    expect(countFitting([small, small, big], limits)).toBe(2);
    expect(countFitting([ref, ref, ref], limits)).toBe(2);
    expect(countFitting([], limits)).toBe(0);
  });

  it('1,000 single-record events coalesce into very few windows', () => {
    const events: StreamEvent[] = Array.from({ length: 1_000 }, (_, i) => ({ stream: 's', occurredAtMs: i, records: [rec(i % 50, i)] }));
    const policy = { maxRecordsPerWindow: 5_000, maxBlobRefsPerWindow: 100, maxEventsPerWindow: 10_000 };
    expect(countFitting(events, policy)).toBe(1_000);
    expect(coalesce(events, null, keys).records).toHaveLength(50);
  });
});

describe('coalesce properties', () => {
  const eventArb: fc.Arbitrary<StreamEvent> = fc.oneof(
    fc.record({ stream: fc.constant('s'), occurredAtMs: fc.nat(1_000), records: fc.array(fc.record({ id: fc.nat(5), v: fc.nat(20) }), { maxLength: 4 }) }),
    fc.record({ stream: fc.constant('s'), occurredAtMs: fc.nat(1_000), blobRef: fc.record({ url: fc.constantFrom('a', 'b', 'c') }) }),
    fc.record({ stream: fc.constant('s'), window: fc.tuple(fc.nat(1_000), fc.nat(1_000)).map(([a, b]) => ({ sinceMs: Math.min(a, b), untilMs: Math.max(a, b) })) }),
  );

  it('keeps exactly one record per key, holding the greatest version seen for that key', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 30 }), fc.option(fc.nat(1_000), { nil: null }), (events, watermark) => {
        const window = coalesce(events, watermark, keys);
        const all = events.flatMap((e) => e.records ?? []);
        const ids = new Set(all.map((r) => r['id']));
        expect(window.records.map((r) => r['id']).sort()).toEqual([...ids].sort());
        for (const record of window.records) {
          const best = Math.max(...all.filter((r) => r['id'] === record['id']).map((r) => r['v'] as number));
          expect(record['v']).toBe(best);
        }
        expect(window.recordsIn).toBe(all.length);
        if (watermark !== null) {
          expect(window.sinceMs).not.toBeNull();
          expect(window.sinceMs!).toBeLessThanOrEqual(watermark);
          expect(window.untilMs).toBeGreaterThanOrEqual(watermark);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('splitting by countFitting covers every event once and respects the limits for multi-event windows', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
        let rest = events;
        let covered = 0;
        while (rest.length > 0) {
          const n = countFitting(rest, limits);
          expect(n).toBeGreaterThanOrEqual(1);
          const chunk = rest.slice(0, n);
          if (n > 1) {
            expect(chunk.reduce((s, e) => s + (e.records?.length ?? 0), 0)).toBeLessThanOrEqual(limits.maxRecordsPerWindow);
            expect(chunk.filter((e) => e.blobRef !== undefined).length).toBeLessThanOrEqual(limits.maxBlobRefsPerWindow);
          }
          covered += n;
          rest = rest.slice(n);
        }
        expect(covered).toBe(events.length);
      }),
      { numRuns: 400 },
    );
  });
});
