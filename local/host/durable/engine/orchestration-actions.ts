import { DurableHostError } from '../errors';
import { EventType, type HistoryEvent, type InstanceRecord, type NewMessage, type OpenTask } from '../types';
import {
  ActionType,
  entitySchedulerId,
  inputText,
  rawInputText,
  type DfAction,
} from './actions';
import { historyEvent, orchestrationMessage, type EngineContext } from './engine-context';
import { newInstanceRecord } from './instances';

/** History events and messages an episode produces; committed together with the instance row. */
export interface EpisodeOutput {
  events: HistoryEvent[];
  messages: NewMessage[];
  newInstances: InstanceRecord[];
}

/**
 * Turns one newly scheduled DF action into history and outgoing messages, consuming EventIds exactly as
 * DF does (§2.3), so TaskCompleted/TimerFired/EventSent ids line up with DF's open tasks.
 */
export function applyNewAction(ctx: EngineContext, record: InstanceRecord, action: DfAction, nowMs: number, out: EpisodeOutput): void {
  const engine = record.engine;
  const allocate = (): number => engine.nextEventId++;
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry: {
      const id = allocate();
      const input = inputText(action.input);
      const task: OpenTask = { kind: 'activity' };
      if (action.actionType === ActionType.CallActivityWithRetry && action.retryOptions !== undefined) {
        task.retry = { policy: action.retryOptions, attempt: 1, firstAttemptMs: nowMs, target: 'activity', name: action.functionName ?? '' };
        if (input !== undefined) task.retry.input = input;
      }
      engine.openTasks[id] = task;
      scheduleActivity(record, id, action.functionName ?? '', input, nowMs, out);
      return;
    }
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry: {
      const id = allocate();
      const input = rawInputText(action.input);
      const childId = action.instanceId ?? `${record.instanceId}:${id}`;
      const task: OpenTask = { kind: 'subOrchestration' };
      if (action.actionType === ActionType.CallSubOrchestratorWithRetry && action.retryOptions !== undefined) {
        task.retry = { policy: action.retryOptions, attempt: 1, firstAttemptMs: nowMs, target: 'subOrchestration', name: action.functionName ?? '', childInstanceId: childId };
        if (input !== undefined) task.retry.input = input;
      }
      engine.openTasks[id] = task;
      scheduleSubOrchestration(ctx, record, id, action.functionName ?? '', childId, input, action.version ?? '', nowMs, out);
      return;
    }
    case ActionType.CreateTimer: {
      const id = allocate();
      const finalMs = Date.parse(action.fireAt ?? '');
      const isLong = finalMs - nowMs > ctx.maxShortTimerMs;
      engine.openTasks[id] = isLong ? { kind: 'timer', finalFireAtMs: finalMs } : { kind: 'timer' };
      scheduleTimer(record, id, isLong ? nowMs + ctx.longTimerIntervalMs : finalMs, nowMs, out);
      return;
    }
    case ActionType.WaitForExternalEvent:
    case ActionType.ContinueAsNew:
      return;
    case ActionType.CallEntity:
    case ActionType.SignalEntity: {
      const id = allocate();
      const isSignal = action.actionType === ActionType.SignalEntity;
      const target = action.instanceId ?? '';
      const requestId = ctx.newGuid();
      const input = rawInputText(action.input);
      const request = {
        op: action.operation,
        ...(isSignal ? { signal: true } : {}),
        ...(input !== undefined ? { input } : {}),
        id: requestId,
        parent: record.instanceId,
        parentExecution: record.executionId,
      };
      if (!isSignal) engine.openTasks[id] = { kind: 'entityCall' };
      out.events.push(historyEvent(EventType.EventSent, id, nowMs, { InstanceId: target, Name: 'op', Input: JSON.stringify(request) }));
      out.messages.push({
        queue: 'entity',
        target,
        visibleAtMs: nowMs,
        body: {
          type: 'request',
          id: requestId,
          op: action.operation ?? '',
          signal: isSignal,
          ...(input !== undefined ? { input } : {}),
          parent: record.instanceId,
          parentExecution: record.executionId,
        },
      });
      return;
    }
    case ActionType.LockEntities: {
      const id = allocate();
      const entityIds = [...new Set((action.lockSet ?? []).map((e) => entitySchedulerId(e.name, e.key)))].sort();
      const lockRequestId = action.lockRequestId ?? ctx.newGuid();
      engine.openTasks[id] = { kind: 'entityCall' };
      engine.heldLocks = { lockRequestId, entityIds };
      const request = { id: lockRequestId, parent: record.instanceId, parentExecution: record.executionId, lockset: action.lockSet, pos: 0 };
      out.events.push(historyEvent(EventType.EventSent, id, nowMs, { InstanceId: entityIds[0], Name: 'op', Input: JSON.stringify(request) }));
      out.messages.push({
        queue: 'entity',
        target: entityIds[0] ?? '',
        visibleAtMs: nowMs,
        body: { type: 'request', id: lockRequestId, signal: false, parent: record.instanceId, parentExecution: record.executionId, lockset: entityIds, pos: 0 },
      });
      return;
    }
    case ActionType.ReleaseEntities: {
      const held = engine.heldLocks;
      if (held === null) return;
      for (const entityId of held.entityIds) {
        const id = allocate();
        const release = { parent: record.instanceId, id: held.lockRequestId };
        out.events.push(historyEvent(EventType.EventSent, id, nowMs, { InstanceId: entityId, Name: 'release', Input: JSON.stringify(release) }));
      }
      out.messages.push(...releaseMessages(record, nowMs));
      engine.heldLocks = null;
      return;
    }
    default:
      throw new DurableHostError(
        'NotSupported',
        `Orchestration '${record.name}' (instance '${record.instanceId}') used action type ${action.actionType}` +
          `${action.actionType === ActionType.CallHttp ? ' (callHttp)' : ''}, which the local Durable host does not support. ` +
          'To fix: call an activity that makes the HTTP request instead.',
      );
  }
}

/** Release messages for every entity the orchestration still holds (explicit release or completion). */
export function releaseMessages(record: InstanceRecord, nowMs: number): NewMessage[] {
  const held = record.engine.heldLocks;
  if (held === null) return [];
  return held.entityIds.map((entityId) => ({
    queue: 'entity' as const,
    target: entityId,
    visibleAtMs: nowMs,
    body: { type: 'release' as const, parent: record.instanceId, id: held.lockRequestId },
  }));
}

export function scheduleActivity(record: InstanceRecord, id: number, name: string, input: string | undefined, nowMs: number, out: EpisodeOutput): void {
  out.events.push(historyEvent(EventType.TaskScheduled, id, nowMs, { Name: name, Version: '', ...(input !== undefined ? { Input: input } : {}) }));
  out.messages.push({
    queue: 'activity',
    target: record.instanceId,
    visibleAtMs: nowMs,
    body: { instanceId: record.instanceId, executionId: record.executionId, taskId: id, name, ...(input !== undefined ? { input } : {}) },
  });
}

export function scheduleTimer(record: InstanceRecord, id: number, fireAtMs: number, nowMs: number, out: EpisodeOutput): void {
  out.events.push(historyEvent(EventType.TimerCreated, id, nowMs, { FireAt: new Date(fireAtMs).toISOString() }));
  out.messages.push(
    orchestrationMessage(record.instanceId, { type: 'TimerFired', executionId: record.executionId, timerId: id, fireAtMs }, fireAtMs),
  );
}

export function scheduleSubOrchestration(
  ctx: EngineContext,
  record: InstanceRecord,
  id: number,
  name: string,
  childId: string,
  input: string | undefined,
  version: string,
  nowMs: number,
  out: EpisodeOutput,
): void {
  out.events.push(
    historyEvent(EventType.SubOrchestrationInstanceCreated, id, nowMs, { Name: name, Version: version, InstanceId: childId, ...(input !== undefined ? { Input: input } : {}) }),
  );
  const parent = { instanceId: record.instanceId, executionId: record.executionId, taskId: id };
  const existing = ctx.store.getInstance(childId);
  if (existing !== undefined && !['Completed', 'Failed', 'Terminated', 'Canceled'].includes(existing.status)) {
    out.messages.push(
      orchestrationMessage(record.instanceId, {
        type: 'SubOrchestrationFailed',
        executionId: record.executionId,
        taskId: id,
        reason: `An orchestration instance with ID '${childId}' is already ${existing.status}.`,
        details: '',
      }, nowMs),
    );
    return;
  }
  const child = newInstanceRecord(ctx, { instanceId: childId, name, version, input: input ?? null, nowMs, parent });
  out.newInstances.push(child);
  out.messages.push(orchestrationMessage(childId, { type: 'ExecutionStarted', executionId: child.executionId }, nowMs));
}
