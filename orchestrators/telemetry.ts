/**
 * Orchestrator side of telemetry: orchestrations replay, so they only build the contract's events
 * (core/telemetry) and hand them to the `trackTelemetry` activity, which emits them once per execution.
 */
import * as df from 'durable-functions';
import { isSluiceError } from '../core/errors';
import { loadCompletedEvent, loadFailedEvent, type TelemetryEvent } from '../core/telemetry';
import { trackTelemetryActivityName, type TrackTelemetryInput } from '../functions/activities/track-telemetry';
import { nowMs } from './time';

type Step<T> = Generator<df.Task, T, unknown>;

const telemetryRetry = new df.RetryOptions(1_000, 2);

function errorText(error: unknown): string {
  if (isSluiceError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Telemetry never fails the caller: an activity that still fails after its retry is logged and dropped. */
export function* reportTelemetry(context: df.OrchestrationContext, events: TelemetryEvent[]): Step<void> {
  if (events.length === 0) return;
  const input: TrackTelemetryInput = { events };
  try {
    yield context.df.callActivityWithRetry(trackTelemetryActivityName, telemetryRetry, input);
  } catch (error) {
    if (!context.df.isReplaying) context.warn('sluice:telemetry dropped', { instanceId: context.df.instanceId, error: errorText(error) });
  }
}

/** What the load telemetry reads from a load's input and result. */
interface LoadFacts {
  loadId?: unknown;
  pipeline?: unknown;
}

interface LoadResultFacts {
  rows: number;
  rejects: number;
}

/**
 * Wraps a load orchestration so that its end emits `Sluice.Load.Completed` (rows, rejected rows, duration from the
 * replay-safe clock) or `Sluice.Load.Failed` (the error that fails it, rethrown unchanged).
 */
export function withLoadTelemetry<R extends LoadResultFacts>(load: (context: df.OrchestrationContext) => Step<R>) {
  return function* loadWithTelemetry(context: df.OrchestrationContext): Step<R> {
    const startedAtMs = nowMs(context);
    const facts = (context.df.getInput() ?? {}) as LoadFacts;
    const loadId = typeof facts.loadId === 'string' && facts.loadId !== '' ? facts.loadId : context.df.instanceId;
    const pipeline = typeof facts.pipeline === 'string' && facts.pipeline !== '' ? facts.pipeline : '(unknown)';
    let result: R;
    try {
      result = yield* load(context);
    } catch (error) {
      yield* reportTelemetry(context, [loadFailedEvent({ loadId, pipeline, reason: errorText(error) })]);
      throw error;
    }
    yield* reportTelemetry(context, [loadCompletedEvent({ loadId, pipeline, rows: result.rows, rejectedRows: result.rejects, durationMs: nowMs(context) - startedAtMs })]);
    return result;
  };
}
