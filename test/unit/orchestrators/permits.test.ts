import { recheckDelayInMs } from '../../../orchestrators/permits';

describe('recheckDelayInMs', () => {
  it('re-checks at the base interval while the owner is within the first capacity of the queue', () => {
    expect(recheckDelayInMs(30_000, 1, 4, 150_000)).toBe(30_000);
    expect(recheckDelayInMs(30_000, 4, 4, 150_000)).toBe(30_000);
  });

  it('waits one more interval per capacity of owners ahead, up to the maximum', () => {
    expect(recheckDelayInMs(30_000, 5, 4, 150_000)).toBe(60_000);
    expect(recheckDelayInMs(30_000, 12, 4, 150_000)).toBe(90_000);
    expect(recheckDelayInMs(30_000, 9_000, 16, 150_000)).toBe(150_000);
  });

  it('never goes below the base interval, also with a maximum below it or a zero capacity', () => {
    expect(recheckDelayInMs(30_000, 100, 4, 10_000)).toBe(30_000);
    expect(recheckDelayInMs(30_000, 3, 0, 150_000)).toBe(90_000);
  });
});
