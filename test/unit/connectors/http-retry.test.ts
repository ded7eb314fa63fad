import fc from 'fast-check';
import { resolveRetryOptions, retryAfterInMs, retryDelayInMs } from '../../../connectors/http/retry';

describe('HTTP retry policy', () => {
  it('reads Retry-After as seconds or as an HTTP date relative to now', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(retryAfterInMs('3', now)).toBe(3000);
    expect(retryAfterInMs('Mon, 23 Nov 2026 10:00:07 GMT', now)).toBe(7000);
    expect(retryAfterInMs('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterInMs('soon', now)).toBeUndefined();
    expect(retryAfterInMs(null, now)).toBeUndefined();
  });

  it('waits within the exponential ceiling, at least the Retry-After, never above the cap', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 20 }), fc.double({ min: 0, max: 0.999999, noNaN: true }),
      fc.option(fc.integer({ min: 0, max: 120000 }), { nil: undefined }), (retry, random, retryAfter) => {
        const options = resolveRetryOptions({ retryDelayInMs: 100, maxRetryDelayInMs: 10000, random: () => random });
        const delay = retryDelayInMs(retry, options, retryAfter);
        expect(delay).toBeLessThanOrEqual(10000);
        expect(delay).toBeGreaterThanOrEqual(Math.min(10000, retryAfter ?? 0));
        if (retryAfter === undefined) expect(delay).toBeLessThanOrEqual(100 * 2 ** retry);
      }));
  });
});
