import { DurableHostError } from '../errors';
import type { EntityQuery, InstanceQuery } from '../store/durable-store';
import { EventType, isTerminal, type EntityRecord, type HistoryEvent, type InstanceRecord, type RuntimeStatus } from '../types';
import { entitySchedulerId } from './actions';
import { orchestrationMessage, type EngineContext } from './engine-context';
import { findFunction } from './invoke';
import { newInstanceRecord } from './instances';

const RUNNING_STATES: readonly RuntimeStatus[] = ['Running', 'Pending', 'Suspended', 'ContinuedAsNew'];

export interface StartOptions {
  instanceId?: string;
  /** JSON text of the input, or undefined for none. */
  input?: string;
  version?: string;
  /** host.json `overridableExistingInstanceStates`. */
  overridable: 'NonRunningStates' | 'AnyState';
}

/** What DurableClient can ask of the task hub; the HTTP management API maps routes onto these. */
export class ClientOperations {
  constructor(private readonly ctx: EngineContext) {}

  startNew(name: string, options: StartOptions): InstanceRecord {
    const fn = findFunction(this.ctx.invoker, 'orchestrationTrigger', name);
    if (fn === undefined) {
      throw new DurableHostError('FunctionNotFound', `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. To fix: register it with df.app.orchestration('${name}', ...).`);
    }
    const instanceId = options.instanceId ?? this.ctx.newGuid().replace(/-/g, '');
    validateInstanceId(instanceId);
    const existing = this.ctx.store.getInstance(instanceId);
    if (existing !== undefined && options.overridable === 'NonRunningStates' && RUNNING_STATES.includes(existing.status)) {
      throw new DurableHostError('InstanceAlreadyExists', `An Orchestration instance with the status ${existing.status} already exists. To fix: wait for instance '${instanceId}' to finish, terminate it, or start with another instance id.`);
    }
    const nowMs = this.ctx.clock.nowMs();
    const record = newInstanceRecord(this.ctx, { instanceId, name: fn.name, version: options.version ?? '', input: options.input ?? null, nowMs, parent: null });
    this.ctx.commit({
      putInstances: [record],
      clearHistory: [instanceId],
      deleteMessagesFor: [instanceId],
      addMessages: [orchestrationMessage(instanceId, { type: 'ExecutionStarted', executionId: record.executionId }, nowMs)],
    });
    this.ctx.log({ event: 'Sluice.Orchestration.Scheduled', instanceId, name: fn.name });
    return record;
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    return this.ctx.store.getInstance(instanceId);
  }

  getHistory(instanceId: string): HistoryEvent[] {
    return this.ctx.store.getHistory(instanceId);
  }

  queryInstances(query: InstanceQuery): InstanceRecord[] {
    return this.ctx.store.queryInstances(query);
  }

  raiseEvent(instanceId: string, name: string, input: string | null): void {
    this.requireActive(instanceId);
    this.send(instanceId, { type: 'EventRaised', name, input });
  }

  terminate(instanceId: string, reason: string): void {
    this.requireActive(instanceId);
    this.send(instanceId, { type: 'Terminate', reason });
  }

  suspend(instanceId: string, reason: string): void {
    this.requireActive(instanceId);
    this.send(instanceId, { type: 'Suspend', reason });
  }

  resume(instanceId: string, reason: string): void {
    this.requireActive(instanceId);
    this.send(instanceId, { type: 'Resume', reason });
  }

  /**
   * Rewind a Failed instance: drop its failure events, reschedule the failed activities with their
   * original ids and let the orchestrator replay from there.
   */
  rewind(instanceId: string, reason: string): void {
    const record = this.require(instanceId);
    if (record.status !== 'Failed') {
      throw new DurableHostError('InstanceNotRunning', `Instance '${instanceId}' is ${record.status}; only Failed instances can be rewound.`);
    }
    const nowMs = this.ctx.clock.nowMs();
    const history = this.ctx.store.getHistory(instanceId);
    const scheduled = new Map<number, HistoryEvent>();
    for (const e of history) if (e.EventType === EventType.TaskScheduled) scheduled.set(e.EventId, e);
    const kept: HistoryEvent[] = [];
    const messages = [];
    for (const e of history) {
      if (e.EventType === EventType.ExecutionCompleted) continue;
      if (e.EventType === EventType.TaskFailed) {
        const taskId = e['TaskScheduledId'] as number;
        const original = scheduled.get(taskId);
        if (original !== undefined) {
          record.engine.openTasks[taskId] = { kind: 'activity' };
          const input = original['Input'] as string | undefined;
          messages.push({
            queue: 'activity' as const,
            target: instanceId,
            visibleAtMs: nowMs,
            body: { instanceId, executionId: record.executionId, taskId, name: original['Name'] as string, ...(input !== undefined ? { input } : {}) },
          });
        }
        continue;
      }
      kept.push(e);
    }
    record.status = 'Running';
    record.output = null;
    record.updatedMs = nowMs;
    this.ctx.commit({ putInstances: [record], clearHistory: [instanceId], appendHistory: [{ instanceId, events: kept }], addMessages: messages });
    this.ctx.log({ event: 'Sluice.Orchestration.Rewound', instanceId, reason });
  }

  purge(instanceIds: string[]): number {
    const existing = instanceIds.filter((id) => this.ctx.store.getInstance(id) !== undefined);
    if (existing.length > 0) this.ctx.commit({ deleteInstances: existing, deleteMessagesFor: existing });
    return existing.length;
  }

  signalEntity(name: string, key: string, operation: string, input: string | undefined): void {
    const target = entitySchedulerId(name, key);
    this.ctx.commit({
      addMessages: [
        {
          queue: 'entity',
          target,
          visibleAtMs: this.ctx.clock.nowMs(),
          body: { type: 'request', id: this.ctx.newGuid(), op: operation, signal: true, ...(input !== undefined ? { input } : {}) },
        },
      ],
    });
  }

  queryEntities(query: EntityQuery): EntityRecord[] {
    return this.ctx.store.queryEntities(query);
  }

  getEntity(name: string, key: string): EntityRecord | undefined {
    return this.ctx.store.getEntity(entitySchedulerId(name, key));
  }

  private require(instanceId: string): InstanceRecord {
    const record = this.ctx.store.getInstance(instanceId);
    if (record === undefined) throw new DurableHostError('InstanceNotFound', `No instance with ID '${instanceId}' found.`);
    return record;
  }

  private requireActive(instanceId: string): void {
    const record = this.require(instanceId);
    if (isTerminal(record.status)) {
      throw new DurableHostError('InstanceNotRunning', `Instance '${instanceId}' is ${record.status} and no longer accepts this operation.`);
    }
  }

  private send(instanceId: string, body: Parameters<typeof orchestrationMessage>[1]): void {
    this.ctx.commit({ addMessages: [orchestrationMessage(instanceId, body, this.ctx.clock.nowMs())] });
  }
}

function validateInstanceId(instanceId: string): void {
  // eslint-disable-next-line no-control-regex
  if (instanceId.length === 0 || instanceId.length > 256 || instanceId.startsWith('@') || /[/\\#?\u0000-\u001f\u007f]/.test(instanceId)) {
    throw new DurableHostError('InvalidArgument', `Instance id '${instanceId}' is not valid: it must be 1-256 characters, not start with '@' and contain no '/', '\\', '#', '?' or control characters.`);
  }
}
