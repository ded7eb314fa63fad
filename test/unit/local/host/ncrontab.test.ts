import { parseTimerSchedule } from '../../../../local/host/triggers/ncrontab';

const at = (iso: string) => Date.parse(iso);

describe('timer schedules', () => {
  it('evaluates six-field NCRONTAB in UTC, strictly after the given instant', () => {
    const schedule = parseTimerSchedule('0 */5 * * * *', undefined, 'test');
    expect(new Date(schedule.nextAfter(at('2026-01-01T00:00:00Z'))).toISOString()).toBe('2026-01-01T00:05:00.000Z');
    expect(new Date(schedule.nextAfter(at('2026-01-01T00:04:59.500Z'))).toISOString()).toBe('2026-01-01T00:05:00.000Z');
  });

  it('honours seconds and WEBSITE_TIME_ZONE', () => {
    expect(new Date(parseTimerSchedule('30 * * * * *', undefined, 't').nextAfter(at('2026-01-01T00:00:00Z'))).toISOString()).toBe(
      '2026-01-01T00:00:30.000Z',
    );
    const paris = parseTimerSchedule('0 0 9 * * *', 'Europe/Paris', 't');
    expect(new Date(paris.nextAfter(at('2026-01-01T00:00:00Z'))).toISOString()).toBe('2026-01-01T08:00:00.000Z');
  });

  it('accepts a TimeSpan as a fixed interval', () => {
    expect(parseTimerSchedule('00:01:30', undefined, 't').nextAfter(1000)).toBe(91_000);
  });

  it('rejects five-field cron with a fix naming the seconds field', () => {
    expect(() => parseTimerSchedule('*/5 * * * *', undefined, "function 'tick'")).toThrow('add the seconds field');
  });
});
