/**
 * The ledger side of `eltLoad`: one entry `load:<loadId>` written when the plan is known (running) and when the
 * load ends (succeeded or failed), with counts and phase durations from the orchestration's replay-safe clock.
 * Writing is best effort: a failed ledger write is logged and never changes the load's own outcome.
 */
import type * as df from 'durable-functions';
import { recordLoadActivityName, type RecordLoadInput } from '../functions/activities/record-load';
import type { EltSource } from './elt-load-input';
import { nowMs } from './time';

type Step<T> = Generator<df.Task, T, unknown>;

/** Phase boundaries in orchestration time (ms); a phase not reached stays undefined. */
export interface LoadTimes {
  startedMs: number;
  plannedMs?: number;
  permitsMs?: number;
  chunksMs?: number;
  mergedMs?: number;
}

export interface LoadLedgerState {
  loadId: string;
  pipeline: string;
  times: LoadTimes;
  sources: EltSource[];
  counts: RecordLoadInput['counts'];
}

const iso = (ms: number): string => new Date(ms).toISOString(); // eslint-disable-line no-restricted-globals -- built from replayed time

function durations(times: LoadTimes, endMs: number): Record<string, number> {
  const out: Record<string, number> = { totalInMs: endMs - times.startedMs };
  if (times.plannedMs !== undefined) out['planInMs'] = times.plannedMs - times.startedMs;
  if (times.plannedMs !== undefined && times.permitsMs !== undefined) out['permitWaitInMs'] = times.permitsMs - times.plannedMs;
  if (times.permitsMs !== undefined && times.chunksMs !== undefined) out['chunksInMs'] = times.chunksMs - times.permitsMs;
  if (times.chunksMs !== undefined && times.mergedMs !== undefined) out['mergeInMs'] = times.mergedMs - times.chunksMs;
  return out;
}

/**
 * The failure as the ledger keeps it. An activity's error reaches the orchestration as a plain Error whose message
 * is `<message> \n <stack>`: the stack is cut off, and such errors get the code ActivityFailed.
 */
function errorOf(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  const text = typeof e?.message === 'string' ? e.message : String(error);
  const stack = text.indexOf(' \n ');
  return { code: typeof e?.code === 'string' ? e.code : 'ActivityFailed', message: stack > 0 ? text.slice(0, stack) : text };
}

export function* recordLoad(context: df.OrchestrationContext, retry: df.RetryOptions, state: LoadLedgerState,
  outcome: RecordLoadInput['outcome'], error?: unknown): Step<void> {
  const at = nowMs(context);
  const input: RecordLoadInput = {
    loadId: state.loadId,
    pipeline: state.pipeline,
    outcome,
    startedAt: iso(state.times.startedMs),
    ...(outcome === 'running' ? {} : { finishedAt: iso(at) }),
    sources: state.sources,
    counts: state.counts,
    durations: durations(state.times, at),
    ...(error === undefined ? {} : { error: errorOf(error) }),
  };
  try {
    yield context.df.callActivityWithRetry(recordLoadActivityName, retry, input);
  } catch (failure) {
    if (!context.df.isReplaying) context.warn('sluice:elt ledger write failed', { loadId: state.loadId, outcome, error: String(failure) });
  }
}
