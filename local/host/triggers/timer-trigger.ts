/**
 * timerTrigger: fires each function on its schedule with the payload Azure sends (`Schedule`, `ScheduleStatus`,
 * `IsPastDue`). Like Azure, one invocation at a time per function (the next occurrence is armed after the
 * previous run ends), `runOnStartup` fires once at start, and with `useMonitor` (default: on unless occurrences
 * are under a minute apart, as on Azure) the schedule status
 * is kept in the data directory so an occurrence missed while the host was down runs at start with isPastDue.
 */
import path from 'node:path';
import { z } from 'zod';
import { resolveSettingReferences } from '../config';
import type { DurableHost, FunctionBinding, RegisteredFunction } from '../contracts';
import { clientInputData } from '../worker/client-inputs';
import type { AppInvoker } from '../worker/invoker';
import type { HostLogger } from '../log';
import type { ClockTimer, SchedulingClock } from '../scheduling-clock';
import { readJsonFile, writeJsonFile } from './json-file';
import { parseTimerSchedule, type TimerSchedule } from './ncrontab';

export interface TimerTriggerOptions {
  functions: RegisteredFunction[];
  invoker: AppInvoker;
  clock: SchedulingClock;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  logger: HostLogger;
  durable: () => DurableHost | undefined;
}

export interface TimerTriggers {
  /** Next due time per function, for the status endpoint. */
  nextOccurrences(): Record<string, string>;
  stop(): Promise<void>;
}

const statusSchema = z.record(z.string(), z.object({ last: z.string(), next: z.string(), lastUpdated: z.string() }));
type ScheduleStatus = z.infer<typeof statusSchema>[string];

interface TimerState {
  fn: RegisteredFunction;
  schedule: TimerSchedule;
  useMonitor: boolean;
  nextMs: number;
  timer: ClockTimer | undefined;
  running: Promise<void> | undefined;
}

export function startTimerTriggers(options: TimerTriggerOptions): TimerTriggers {
  const { invoker, clock, logger } = options;
  const statusFile = path.join(options.dataDir, 'timer-status.json');
  const parsedStatus = statusSchema.safeParse(readJsonFile(statusFile) ?? {});
  const statuses: Record<string, ScheduleStatus> = parsedStatus.success ? parsedStatus.data : {};
  const states: TimerState[] = [];
  let stopped = false;
  const iso = (ms: number) => new Date(ms).toISOString();

  for (const fn of options.functions) {
    if (fn.triggerType.toLowerCase() !== 'timertrigger') continue;
    const trigger = fn.bindings[fn.triggerBindingName] as FunctionBinding;
    const where = `The schedule of function '${fn.name}'`;
    const expression = resolveSettingReferences(String(trigger.schedule ?? ''), options.env, where);
    const schedule = parseTimerSchedule(expression, options.env.WEBSITE_TIME_ZONE, where);
    states.push({ fn, schedule, useMonitor: useMonitorFor(trigger, schedule, clock.nowMs()), nextMs: 0, timer: undefined, running: undefined });
  }

  const fire = (state: TimerState, scheduledMs: number, isPastDue: boolean): void => {
    state.timer = undefined;
    if (stopped) return;
    const run = async () => {
      const status = state.useMonitor ? statuses[state.fn.name] : undefined;
      const nextMs = state.schedule.nextAfter(Math.max(scheduledMs, clock.nowMs()));
      const payload = {
        Schedule: { AdjustForDST: true },
        ScheduleStatus: status === undefined ? null : { Last: status.last, Next: status.next, LastUpdated: status.lastUpdated },
        IsPastDue: isPastDue,
      };
      try {
        await invoker.invoke(state.fn.name, {
          inputData: [{ name: state.fn.triggerBindingName, data: { json: JSON.stringify(payload) } }, ...clientInputData(state.fn, options.durable())],
        });
      } catch (error) {
        logger.log('warning', 'Timer function failed; the schedule continues', { functionName: state.fn.name, error: (error as Error)?.message });
      }
      if (state.useMonitor) {
        statuses[state.fn.name] = { last: iso(scheduledMs), next: iso(nextMs), lastUpdated: iso(clock.nowMs()) };
        writeJsonFile(statusFile, statuses);
      }
      arm(state, state.schedule.nextAfter(Math.max(scheduledMs, clock.nowMs() - 1)));
    };
    state.running = run().finally(() => {
      state.running = undefined;
    });
  };

  const arm = (state: TimerState, atMs: number): void => {
    if (stopped) return;
    state.nextMs = atMs;
    state.timer = clock.setTimer(atMs, () => fire(state, atMs, false));
  };

  for (const state of states) {
    const trigger = state.fn.bindings[state.fn.triggerBindingName] as FunctionBinding;
    const now = clock.nowMs();
    const persisted = state.useMonitor ? statuses[state.fn.name] : undefined;
    const missed = persisted !== undefined && Date.parse(persisted.next) <= now;
    logger.log('information', 'Timer trigger started', { functionName: state.fn.name, schedule: state.schedule.describe, pastDue: missed });
    if (trigger.runOnStartup === true || missed) fire(state, missed && persisted ? Date.parse(persisted.next) : now, missed);
    else arm(state, state.schedule.nextAfter(now));
  }

  return {
    nextOccurrences() {
      return Object.fromEntries(states.filter((s) => s.nextMs > 0).map((s) => [s.fn.name, iso(s.nextMs)]));
    },
    async stop() {
      stopped = true;
      for (const state of states) state.timer?.cancel();
      await Promise.all(states.map((state) => state.running));
    },
  };
}

/** Azure's default: monitor the schedule unless occurrences are less than a minute apart. */
function useMonitorFor(trigger: FunctionBinding, schedule: TimerSchedule, nowMs: number): boolean {
  if (typeof trigger.useMonitor === 'boolean') return trigger.useMonitor;
  const first = schedule.nextAfter(nowMs);
  return schedule.nextAfter(first) - first >= 60_000;
}
