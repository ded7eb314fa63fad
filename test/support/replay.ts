/**
 * Replays a registered orchestration with hand-made histories (durable-host.md section 2): each step appends
 * the events a Durable host would write for the newest actions, then runs the real handler again from scratch.
 * Ids are allocated the way DTFx does (one per activity, entity call and timer; none for external events).
 */
import type { LoadedApp } from './durable-app';

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

export interface OrchestratorState {
  isDone: boolean;
  actions: Array<Array<Record<string, unknown>>>;
  output?: unknown;
  error?: string;
  schemaVersion: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class ReplayHarness {
  readonly history: HistoryEvent[] = [];
  private nextId = 0;
  private nowMs: number;
  private readonly app: LoadedApp;
  private readonly name: string;
  private readonly instanceId: string;
  private readonly input: unknown;

  constructor(app: LoadedApp, name: string, instanceId: string, input: unknown, startMs: number) {
    this.app = app;
    this.name = name;
    this.instanceId = instanceId;
    this.input = input;
    this.nowMs = startMs;
    this.push(12);
    this.push(0, { Name: name, Version: '', Input: JSON.stringify(input), OrchestrationInstance: { InstanceId: instanceId, ExecutionId: 'exec1' }, ParentInstance: null, Tags: null });
  }

  get now(): number {
    return this.nowMs;
  }

  /** Runs the orchestrator on the current history. */
  async run(): Promise<OrchestratorState> {
    const payload = {
      history: this.history,
      input: this.input,
      instanceId: this.instanceId,
      isReplaying: false,
      parentInstanceId: null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 3,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    return (await this.app.invoke(this.name, JSON.parse(JSON.stringify(payload)))) as OrchestratorState;
  }

  /** The id the next scheduled task will get. */
  peekId(): number {
    return this.nextId;
  }

  /** Ends the episode and starts the next one `advanceMs` later. */
  episode(advanceMs = 1_000): void {
    this.push(13);
    this.nowMs += advanceMs;
    this.push(12);
  }

  /** A callEntity action answered with `reply` (EventSent, then the response EventRaised in the next episode). */
  entityCall(entity: string, key: string, operation: string, reply: unknown): void {
    const id = this.nextId++;
    const requestId = `req-${id}`;
    this.push(13);
    this.push(14, { EventId: id, InstanceId: `@${entity}@${key}`, Name: 'op', Input: JSON.stringify({ op: operation, id: requestId, parent: this.instanceId, parentExecution: 'exec1' }) });
    this.nowMs += 1_000;
    this.push(12);
    this.push(15, { Name: requestId, Input: JSON.stringify({ result: JSON.stringify(reply) }) });
  }

  /** An activity action (plain or first attempt of a retry) that completed with `result`. */
  activity(name: string, result: unknown): void {
    const id = this.scheduleActivity(name);
    this.nowMs += 1_000;
    this.push(12);
    this.push(5, { TaskScheduledId: id, Result: JSON.stringify(result ?? null) });
  }

  /** An activity attempt that failed; with a retry policy DF then waits for a retry timer (see retryTimer). */
  activityFailed(name: string, reason: string): void {
    const id = this.scheduleActivity(name);
    this.nowMs += 1_000;
    this.push(12);
    this.push(6, { TaskScheduledId: id, Reason: reason, Details: 'stack' });
  }

  /** The timer DF waits on between retry attempts: created and fired `delayMs` later. */
  retryTimer(delayMs: number): void {
    this.timer(this.nowMs + delayMs);
  }

  /** Schedules a timer with the next id and fires it at `fireAtMs` in a new episode. */
  timer(fireAtMs: number): number {
    const id = this.nextId++;
    this.push(13);
    this.push(10, { EventId: id, FireAt: iso(fireAtMs) });
    this.nowMs = Math.max(this.nowMs, fireAtMs);
    this.push(12);
    this.push(11, { TimerId: id, FireAt: iso(fireAtMs) });
    return id;
  }

  /** Allocates the id of a timer that was created but has not fired (e.g. the loser of a race). */
  timerCreated(fireAtMs: number): number {
    const id = this.nextId++;
    this.push(13);
    this.push(10, { EventId: id, FireAt: iso(fireAtMs) });
    this.nowMs += 1_000;
    this.push(12);
    return id;
  }

  /** An external event delivered to the instance (in the current episode). */
  raise(name: string, value: unknown): void {
    this.push(15, { Name: name, Input: JSON.stringify(value) });
  }

  /** Fires a timer created earlier with `timerCreated`. */
  fire(timerId: number, fireAtMs: number): void {
    this.push(13);
    this.nowMs = Math.max(this.nowMs, fireAtMs);
    this.push(12);
    this.push(11, { TimerId: timerId, FireAt: iso(fireAtMs) });
  }

  private scheduleActivity(name: string): number {
    const id = this.nextId++;
    this.push(13);
    this.push(4, { EventId: id, Name: name, Version: '', Input: 'null' });
    return id;
  }

  private push(type: number, fields: Record<string, unknown> = {}): void {
    this.history.push({ EventType: type, EventId: -1, IsPlayed: false, Timestamp: iso(this.nowMs), ...fields });
  }
}

/** The action added last to the cumulative action list. */
export function lastAction(state: OrchestratorState): Record<string, unknown> {
  const actions = state.actions[0] ?? [];
  const last = actions[actions.length - 1];
  if (last === undefined) throw new Error('no actions');
  return last;
}

export function actionCount(state: OrchestratorState): number {
  return state.actions[0]?.length ?? 0;
}
