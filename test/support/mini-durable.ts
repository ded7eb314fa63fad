/**
 * A deterministic, single-threaded Durable driver for unit tests: it runs the app's real orchestrator and entity
 * handlers (through `loadApp`) and its real activities, writing the history events a Durable host would
 * (durable-host.md sections 2, 3 and 6), one completion per episode so ids never race. Activities that need a
 * Durable client get the real `DurableClient`, pointed at a loopback endpoint that this driver answers.
 * Virtual time: work runs in FIFO order; when no work is left the earliest timer fires and the clock jumps to it.
 * It is test scaffolding for the composition of entities and orchestrations, not a Durable engine.
 */
import type { LoadedApp } from './durable-app';
import { startDurableRpcStub, type DurableRpcStub, type RecordedRequest } from './durable-rpc-stub';
import type { HistoryEvent, OrchestratorState } from './replay';

type Action = Record<string, unknown> & { actionType: number };

interface Instance {
  id: string;
  name: string;
  input: unknown;
  execution: number;
  history: HistoryEvent[];
  nextId: number;
  processed: number;
  flat: Action[];
  status: 'Running' | 'Completed' | 'Failed';
  output?: unknown;
  error?: string;
  /** Retry bookkeeping by the id of the attempt currently scheduled. */
  retries: Map<number, { name: string; input: unknown; attempt: number; max: number; first: number; coefficient: number; cap: number }>;
  retryTimers: Map<number, { name: string; input: unknown; attempt: number; max: number; first: number; coefficient: number; cap: number; last: boolean }>;
}

type Work =
  | { kind: 'begin'; instanceId: string }
  | { kind: 'event'; instanceId: string; name: string; value: unknown }
  | { kind: 'entity'; instanceId: string; execution: number; requestId: string; entity: string; key: string; operation: string; input: unknown }
  | { kind: 'activity'; instanceId: string; execution: number; id: number; name: string; input: unknown };

interface Timer {
  instanceId: string;
  execution: number;
  id: number;
  fireAtMs: number;
  flatIndex: number;
}

export interface ActivityLog {
  name: string;
  instanceId: string;
  input: unknown;
  inFlightAtStart: number;
  /** Instances running when the activity was scheduled. */
  running: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export class MiniDurable {
  readonly instances = new Map<string, Instance>();
  readonly entities = new Map<string, string | undefined>();
  readonly raisedEvents: Array<{ instanceId: string; name: string; value: unknown }> = [];
  readonly activities: ActivityLog[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly queue: Work[] = [];
  private timers: Timer[] = [];
  private stub: DurableRpcStub | undefined;
  private nowMs: number;

  constructor(private readonly app: LoadedApp, startMs: number) {
    this.nowMs = startMs;
  }

  get now(): number {
    return this.nowMs;
  }

  async open(): Promise<void> {
    this.stub = await startDurableRpcStub((request) => this.answer(request));
  }

  async close(): Promise<void> {
    await this.stub?.close();
  }

  entityState<S>(entity: string, key: string): S | undefined {
    const state = this.entities.get(`@${entity}@${key}`);
    return state === undefined ? undefined : (JSON.parse(state) as S);
  }

  /** Most activities of `name` that were scheduled and not yet completed at any one time. */
  maxInFlight(name: string): number {
    return Math.max(0, ...this.activities.filter((a) => a.name === name).map((a) => a.inFlightAtStart));
  }

  /** Creates an instance (as the HTTP start route does) and queues its first episode. */
  create(name: string, instanceId: string, input: unknown): boolean {
    const existing = this.instances.get(instanceId);
    if (existing !== undefined && existing.status === 'Running') return false;
    this.instances.set(instanceId, {
      id: instanceId, name, input, execution: 0, history: [], nextId: 0, processed: 0, flat: [], status: 'Running',
      retries: new Map(), retryTimers: new Map(),
    });
    this.queue.push({ kind: 'begin', instanceId });
    return true;
  }

  /** Runs work and timers until nothing is left; throws after `maxSteps` items (a livelock). */
  async runUntilQuiet(maxSteps = 10_000): Promise<number> {
    const steps = await this.runSteps(maxSteps);
    if (steps === maxSteps && (this.queue.length > 0 || this.timers.length > 0)) throw new Error(`not quiet after ${maxSteps} steps`);
    return steps;
  }

  /** Runs at most `maxSteps` work items or timers; returns how many ran. */
  async runSteps(maxSteps: number): Promise<number> {
    let steps = 0;
    while (steps < maxSteps) {
      const work = this.queue.shift();
      if (work !== undefined) {
        await this.perform(work);
      } else {
        const timer = this.nextTimer();
        if (timer === undefined) return steps;
        await this.fire(timer);
      }
      steps++;
    }
    return steps;
  }

  private async begin(instance: Instance): Promise<void> {
    this.push(instance, 12);
    this.push(instance, 0, { Name: instance.name, Version: '', Input: JSON.stringify(instance.input), OrchestrationInstance: { InstanceId: instance.id, ExecutionId: `exec${instance.execution}` }, ParentInstance: null, Tags: null });
    await this.episode(instance);
  }

  private push(instance: Instance, type: number, fields: Record<string, unknown> = {}): void {
    instance.history.push({ EventType: type, EventId: -1, IsPlayed: false, Timestamp: iso(this.nowMs), ...fields });
  }

  /** Appends `events` as one new episode and runs the orchestrator. */
  private async deliver(instance: Instance, events: Array<[number, Record<string, unknown>]>): Promise<void> {
    if (instance.status !== 'Running') return;
    this.push(instance, 13);
    this.push(instance, 12);
    for (const [type, fields] of events) this.push(instance, type, fields);
    await this.episode(instance);
  }

  private async episode(instance: Instance): Promise<void> {
    const payload = {
      history: instance.history, input: instance.input, instanceId: instance.id, isReplaying: false, parentInstanceId: null,
      upperSchemaVersion: 1, upperSchemaVersionNew: 3, longRunningTimerIntervalDuration: '3.00:00:00', maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    let state: OrchestratorState;
    try {
      state = (await this.app.invoke(instance.name, JSON.parse(JSON.stringify(payload)))) as OrchestratorState;
    } catch (error) {
      instance.status = 'Failed';
      instance.error = String(error);
      return;
    }
    instance.flat = flatten((state.actions[0] ?? []) as Action[]);
    for (let i = instance.processed; i < instance.flat.length; i++) {
      const action = instance.flat[i]!;
      if (action.actionType === 4) {
        instance.execution++;
        instance.input = action.input;
        instance.history = [];
        instance.nextId = 0;
        instance.processed = 0;
        instance.flat = [];
        await this.begin(instance);
        return;
      }
      this.schedule(instance, action, i);
    }
    instance.processed = instance.flat.length;
    if (state.isDone) {
      instance.status = 'Completed';
      instance.output = state.output;
    }
  }

  private schedule(instance: Instance, action: Action, flatIndex: number): void {
    const execution = instance.execution;
    switch (action.actionType) {
      case 6:
        return;
      case 7: {
        const id = instance.nextId++;
        const requestId = `${instance.id}:${execution}:${id}`;
        const [, entity, key] = /^@([^@]*)@(.*)$/.exec(String(action.instanceId))!;
        this.push(instance, 14, { EventId: id, InstanceId: action.instanceId, Name: 'op', Input: JSON.stringify({ op: action.operation, id: requestId, parent: instance.id }) });
        this.queue.push({ kind: 'entity', instanceId: instance.id, execution, requestId, entity: entity!, key: key!, operation: String(action.operation), input: action.input });
        return;
      }
      case 0:
      case 1: {
        const id = instance.nextId++;
        const name = String(action.functionName);
        this.push(instance, 4, { EventId: id, Name: name, Version: '', Input: JSON.stringify(action.input ?? null) });
        if (action.actionType === 1) {
          const r = action.retryOptions as { firstRetryIntervalInMilliseconds: number; maxNumberOfAttempts: number; backoffCoefficient?: number; maxRetryIntervalInMilliseconds?: number };
          instance.retries.set(id, { name, input: action.input, attempt: 1, max: r.maxNumberOfAttempts, first: r.firstRetryIntervalInMilliseconds, coefficient: r.backoffCoefficient ?? 1, cap: r.maxRetryIntervalInMilliseconds ?? Infinity });
        }
        this.startActivity(instance, id, name, action.input);
        return;
      }
      case 5: {
        const id = instance.nextId++;
        const fireAtMs = Date.parse(String(action.fireAt));
        this.push(instance, 10, { EventId: id, FireAt: action.fireAt });
        this.timers.push({ instanceId: instance.id, execution, id, fireAtMs, flatIndex });
        return;
      }
      default:
        throw new Error(`mini-durable: action type ${action.actionType} is not supported`);
    }
  }

  private startActivity(instance: Instance, id: number, name: string, input: unknown): void {
    const inFlight = (this.inFlight.get(name) ?? 0) + 1;
    this.inFlight.set(name, inFlight);
    const running = [...this.instances.values()].filter((i) => i.status === 'Running').map((i) => i.id);
    this.activities.push({ name, instanceId: instance.id, input, inFlightAtStart: inFlight, running });
    this.queue.push({ kind: 'activity', instanceId: instance.id, execution: instance.execution, id, name, input });
  }

  private async perform(work: Work): Promise<void> {
    const instance = this.instances.get(work.instanceId)!;
    if (work.kind === 'begin') return this.begin(instance);
    if (work.kind === 'event') return this.deliver(instance, [[15, { Name: work.name, Input: JSON.stringify(work.value) }]]);
    if (work.kind === 'entity') {
      const result = await this.runEntity(work.entity, work.key, work.operation, work.input);
      if (instance.execution !== work.execution) return;
      await this.deliver(instance, [[15, { Name: work.requestId, Input: JSON.stringify({ result }) }]]);
      return;
    }
    let outcome: [number, Record<string, unknown>];
    try {
      const value = await this.app.invoke(work.name, work.input, { durableClient: this.stub!.clientPayload });
      outcome = [5, { TaskScheduledId: work.id, Result: JSON.stringify(value ?? null) }];
    } catch (error) {
      outcome = [6, { TaskScheduledId: work.id, Reason: error instanceof Error ? error.message : String(error), Details: 'stack' }];
    }
    this.inFlight.set(work.name, (this.inFlight.get(work.name) ?? 1) - 1);
    if (instance.execution !== work.execution) return;
    await this.deliver(instance, [outcome]);
    const retry = instance.retries.get(work.id);
    if (retry === undefined) return;
    instance.retries.delete(work.id);
    if (outcome[0] === 5) return;
    // DTFx: a timer after every failed attempt, also the last one; DF allocated its id while replaying the failure.
    const timerId = instance.nextId++;
    const delay = Math.min(retry.first * retry.coefficient ** (retry.attempt - 1), retry.cap);
    this.push(instance, 10, { EventId: timerId, FireAt: iso(this.nowMs + delay) });
    instance.retryTimers.set(timerId, { ...retry, last: retry.attempt >= retry.max });
    this.timers.push({ instanceId: instance.id, execution: instance.execution, id: timerId, fireAtMs: this.nowMs + delay, flatIndex: -1 });
  }

  private async runEntity(entity: string, key: string, operation: string, input: unknown): Promise<string | undefined> {
    const id = `@${entity}@${key}`;
    const state = this.entities.get(id);
    const response = (await this.app.invoke(entity, {
      self: { name: entity, key },
      exists: state !== undefined,
      state: state ?? null,
      batch: [{ id: 'op', name: operation, input: input === undefined ? null : JSON.stringify(input), isSignal: false }],
    })) as { entityExists: boolean; entityState?: string | null; results: Array<{ isError: boolean; result?: string }> };
    if (response.entityExists && typeof response.entityState === 'string') this.entities.set(id, response.entityState);
    const result = response.results[0]!;
    if (result.isError) throw new Error(`entity ${id}.${operation} threw: ${result.result ?? ''}`);
    return result.result;
  }

  private nextTimer(): Timer | undefined {
    this.timers.sort((a, b) => a.fireAtMs - b.fireAtMs || a.id - b.id);
    return this.timers.shift();
  }

  private async fire(timer: Timer): Promise<void> {
    const instance = this.instances.get(timer.instanceId)!;
    if (instance.execution !== timer.execution || instance.status !== 'Running') return;
    if (timer.flatIndex >= 0 && instance.flat[timer.flatIndex]?.isCanceled === true) return;
    this.nowMs = Math.max(this.nowMs, timer.fireAtMs);
    await this.deliver(instance, [[11, { TimerId: timer.id, FireAt: iso(timer.fireAtMs) }]]);
    const retry = instance.retryTimers.get(timer.id);
    if (retry === undefined || retry.last) return;
    instance.retryTimers.delete(timer.id);
    const attemptId = instance.nextId++;
    this.push(instance, 4, { EventId: attemptId, Name: retry.name, Version: '', Input: JSON.stringify(retry.input ?? null) });
    instance.retries.set(attemptId, { ...retry, attempt: retry.attempt + 1 });
    this.startActivity(instance, attemptId, retry.name, retry.input);
  }

  /** The Durable HTTP API the real DurableClient calls (durable-host.md section 4.3), answered synchronously. */
  private answer(request: RecordedRequest): { status: number; body?: unknown } {
    const path = request.path.split('?')[0]!.replace(/^\/durabletask\//, '');
    let match = /^instances\/(.+)\/raiseEvent\/([^/]+)$/.exec(path);
    if (match !== null && request.method === 'POST') {
      const [, instanceId, name] = match;
      const instance = this.instances.get(instanceId!);
      if (instance === undefined) return { status: 404 };
      if (instance.status !== 'Running') return { status: 410 };
      const value = request.body === '' ? null : (JSON.parse(request.body) as unknown);
      this.raisedEvents.push({ instanceId: instanceId!, name: name!, value });
      this.queue.push({ kind: 'event', instanceId: instanceId!, name: name!, value });
      return { status: 202 };
    }
    match = /^orchestrators\/([^/]+)\/(.+)$/.exec(path);
    if (match !== null && request.method === 'POST') {
      const [, name, instanceId] = match;
      const created = this.create(name!, instanceId!, request.body === '' ? undefined : (JSON.parse(request.body) as unknown));
      return created ? { status: 202, body: { id: instanceId } } : { status: 409, body: { message: 'already running' } };
    }
    match = /^instances\/([^/]+)$/.exec(path);
    if (match !== null && request.method === 'GET') {
      const instance = this.instances.get(match[1]!);
      if (instance === undefined) return { status: 404 };
      return { status: 200, body: { name: instance.name, instanceId: instance.id, runtimeStatus: instance.status, input: null, output: null, customStatus: null, createdTime: '2026-11-23T10:00:00Z', lastUpdatedTime: '2026-11-23T10:00:00Z' } };
    }
    return { status: 404 };
  }

}

function flatten(actions: Action[]): Action[] {
  return actions.flatMap((a) => (a.actionType === 11 || a.actionType === 12 ? flatten(a.compoundActions as Action[]) : [a]));
}
