import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHost } from '../../../local/host/host';
import { ManualClock } from '../../../local/host/scheduling-clock';
import { InvocationRecorder, returnJson } from './helpers/invocations';

const timerApp = path.resolve(__dirname, '../../apps/timer');
const at = (iso: string) => Date.parse(iso);

describe('timer triggers on an injected clock', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-host-timer-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = (clock: ManualClock, recorder: InvocationRecorder) =>
    startHost({ appDir: timerApp, port: 0, dataDir, env: {}, clock, logSink: () => undefined, onInvocationCompleted: recorder.listener });

  it('fires runOnStartup once at start, then each NCRONTAB occurrence with the schedule status of the last run', async () => {
    const clock = new ManualClock(at('2026-01-01T00:00:00Z'));
    const recorder = new InvocationRecorder();
    const host = await start(clock, recorder);
    try {
      expect(returnJson(await recorder.waitFor((e) => e.functionName === 'onStartup'))).toEqual({ isPastDue: false });
      expect(recorder.events.filter((e) => e.functionName === 'tick')).toHaveLength(0);

      clock.advanceTo(at('2026-01-01T00:04:59Z'));
      clock.advanceTo(at('2026-01-01T00:05:00Z'));
      const first = await recorder.waitFor((e) => e.functionName === 'tick');
      expect(returnJson(first)).toEqual({ isPastDue: false, scheduleStatus: null });

      const seen = recorder.events.length;
      clock.advanceTo(at('2026-01-01T00:10:00Z'));
      const second = await recorder.waitFor((e) => e.functionName === 'tick', 10_000, seen);
      expect(returnJson(second)).toEqual({
        isPastDue: false,
        scheduleStatus: { last: '2026-01-01T00:05:00.000Z', next: '2026-01-01T00:10:00.000Z', lastUpdated: expect.stringMatching(/^2026-01-01T00:(05|10):00.000Z$/) },
      });
      expect(recorder.events.filter((e) => e.functionName === 'tick')).toHaveLength(2);
    } finally {
      await host.stop();
    }
  });

  it('runs an occurrence missed while the host was down once at restart, with isPastDue', async () => {
    const recorder = new InvocationRecorder();
    const clock = new ManualClock(at('2026-01-01T00:00:00Z'));
    const first = await start(clock, recorder);
    clock.advanceTo(at('2026-01-01T00:05:00Z'));
    await recorder.waitFor((e) => e.functionName === 'tick');
    await first.stop();

    const later = new ManualClock(at('2026-01-01T00:17:00Z'));
    const restartRecorder = new InvocationRecorder();
    const second = await start(later, restartRecorder);
    try {
      const pastDue = await restartRecorder.waitFor((e) => e.functionName === 'tick');
      expect(returnJson(pastDue)).toMatchObject({ isPastDue: true, scheduleStatus: { last: '2026-01-01T00:05:00.000Z', next: '2026-01-01T00:10:00.000Z' } });
      const seen = restartRecorder.events.length;
      later.advanceTo(at('2026-01-01T00:20:00Z'));
      expect(returnJson(await restartRecorder.waitFor((e) => e.functionName === 'tick', 10_000, seen))).toMatchObject({ isPastDue: false });
      expect(restartRecorder.events.filter((e) => e.functionName === 'tick')).toHaveLength(2);
    } finally {
      await second.stop();
    }
  });

  it('does not monitor schedules whose occurrences are under a minute apart, as on Azure', async () => {
    const clock = new ManualClock(at('2026-01-01T00:00:00Z'));
    const recorder = new InvocationRecorder();
    const host = await start(clock, recorder);
    try {
      clock.advanceTo(at('2026-01-01T00:00:10Z'));
      await recorder.waitFor((e) => e.functionName === 'fast');
      const seen = recorder.events.length;
      clock.advanceTo(at('2026-01-01T00:00:20Z'));
      expect(returnJson(await recorder.waitFor((e) => e.functionName === 'fast', 10_000, seen))).toEqual({ isPastDue: false, scheduleStatus: null });
    } finally {
      await host.stop();
    }
  });
});
