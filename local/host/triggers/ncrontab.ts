/**
 * Timer schedules as Azure Functions accepts them: six-field NCRONTAB (`{second} {minute} {hour} {day} {month}
 * {day-of-week}`) evaluated in UTC unless `WEBSITE_TIME_ZONE` names an IANA zone, or a TimeSpan `hh:mm:ss`
 * (a fixed interval, as on App Service plans).
 */
import { CronExpressionParser } from 'cron-parser';
import { LocalHostError } from '../errors';

export interface TimerSchedule {
  /** The first occurrence strictly after `afterMs`. */
  nextAfter(afterMs: number): number;
  describe: string;
}

const timeSpanPattern = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/;

export function parseTimerSchedule(expression: string, timeZone: string | undefined, where: string): TimerSchedule {
  const trimmed = expression.trim();
  const span = timeSpanPattern.exec(trimmed);
  if (span !== null) {
    const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = span;
    const intervalMs = (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
    if (intervalMs <= 0) {
      throw new LocalHostError('ConfigInvalid', `${where}: the TimeSpan schedule "${expression}" is zero. To fix: use a positive interval.`);
    }
    return { nextAfter: (afterMs) => afterMs + intervalMs, describe: `every ${intervalMs} ms` };
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 6) {
    throw new LocalHostError(
      'ConfigInvalid',
      `${where}: "${expression}" is not a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}). ` +
        'To fix: add the seconds field, e.g. "0 */5 * * * *" for every five minutes.',
    );
  }
  try {
    CronExpressionParser.parse(trimmed, { tz: timeZone ?? 'UTC' });
  } catch (error) {
    throw new LocalHostError('ConfigInvalid', `${where}: invalid NCRONTAB expression "${expression}": ${(error as Error).message}. To fix: correct the schedule.`);
  }
  return {
    nextAfter(afterMs) {
      const parsed = CronExpressionParser.parse(trimmed, { tz: timeZone ?? 'UTC', currentDate: new Date(afterMs) });
      return parsed.next().getTime();
    },
    describe: `${trimmed} (${timeZone ?? 'UTC'})`,
  };
}
