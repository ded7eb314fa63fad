import { isDurableHostError } from '../errors';
import {
  EventType,
  isTerminal,
  type HistoryEvent,
  type InstanceRecord,
  type OrchestrationMessage,
  type StoredMessage,
} from '../types';
import { actionSignature, describeAction, flattenActions, retryDelayMs, toTimeSpan, type DfOrchestratorState } from './actions';
import { historyEvent, orchestrationMessage, type EngineContext } from './engine-context';
import { findFunction, errorText, invokeWithPayload } from './invoke';
import { applyNewAction, releaseMessages, scheduleActivity, scheduleSubOrchestration, scheduleTimer, type EpisodeOutput } from './orchestration-actions';
import { finishExecution } from './orchestration-finish';

const OOP_MARKER = '\n\n$OutOfProcData$:';
const CONTROL = new Set(['Terminate', 'Suspend', 'Resume']);

/**
 * Runs one orchestration episode: consume the instance's visible messages, replay the history plus the
 * new events through the orchestrator function, turn new actions into history and messages, and commit
 * all of it in one transaction. Returns false when there was nothing it could do (e.g. suspended).
 */
export async function runOrchestrationEpisode(ctx: EngineContext, instanceId: string): Promise<boolean> {
  const nowMs = ctx.clock.nowMs();
  const messages = ctx.store.messagesFor('orchestration', instanceId, nowMs);
  if (messages.length === 0) return false;
  const record = ctx.store.getInstance(instanceId);
  if (record === undefined) {
    ctx.commit({ deleteMessages: messages.map((m) => m.id) });
    return true;
  }
  const consumed: number[] = [];
  const controlEvents: HistoryEvent[] = [];
  for (const m of messages) {
    const body = m.body as OrchestrationMessage;
    if (!CONTROL.has(body.type)) continue;
    consumed.push(m.id);
    if (body.type === 'Terminate' && !isTerminal(record.status)) {
      record.status = 'Terminated';
      record.output = JSON.stringify(body.reason);
      controlEvents.push(historyEvent(EventType.ExecutionTerminated, -1, nowMs, { Input: body.reason }));
    } else if (body.type === 'Suspend' && (record.status === 'Running' || record.status === 'Pending')) {
      record.status = 'Suspended';
      controlEvents.push(historyEvent(EventType.ExecutionSuspended, -1, nowMs, { Reason: body.reason }));
    } else if (body.type === 'Resume' && record.status === 'Suspended') {
      record.status = 'Running';
      controlEvents.push(historyEvent(EventType.ExecutionResumed, -1, nowMs, { Reason: body.reason }));
    }
  }
  if (isTerminal(record.status)) {
    const out: EpisodeOutput = { events: controlEvents, messages: [], newInstances: [] };
    if (record.status === 'Terminated' && controlEvents.length > 0) {
      record.updatedMs = nowMs;
      out.messages.push(...releaseMessages(record, nowMs), ...notifyParent(record, nowMs, 'terminated'));
      record.engine.heldLocks = null;
      ctx.log({ event: 'Sluice.Orchestration.Terminated', instanceId, name: record.name });
    }
    ctx.commit({
      putInstances: [record],
      appendHistory: [{ instanceId, events: out.events }],
      deleteMessagesFor: [instanceId],
      addMessages: out.messages,
    });
    return true;
  }
  if (record.status === 'Suspended') {
    if (consumed.length === 0) return false;
    record.updatedMs = nowMs;
    ctx.commit({ putInstances: [record], appendHistory: [{ instanceId, events: controlEvents }], deleteMessages: consumed });
    return true;
  }
  const work: StoredMessage[] = [];
  for (const m of messages) {
    const body = m.body as OrchestrationMessage;
    if (CONTROL.has(body.type)) continue;
    consumed.push(m.id);
    if ('executionId' in body && body.executionId !== record.executionId) continue;
    work.push(m);
  }
  const out: EpisodeOutput = { events: [], messages: [], newInstances: [] };
  const newEvents = eventsFromMessages(ctx, record, work, nowMs, out);
  if (newEvents.length === 0) {
    record.updatedMs = controlEvents.length > 0 ? nowMs : record.updatedMs;
    ctx.commit({ putInstances: [record], appendHistory: [{ instanceId, events: controlEvents }], deleteMessages: consumed });
    return true;
  }
  const past = ctx.store.getHistory(instanceId);
  const episodeEvents = [historyEvent(EventType.OrchestratorStarted, -1, nowMs), ...controlEvents, ...newEvents];
  const executionId = record.executionId;
  const state = await invokeOrchestrator(ctx, record, [...past, ...episodeEvents]);
  if (ctx.store.getInstance(instanceId)?.executionId !== executionId) {
    // Purged, or replaced by a new start, while the orchestrator ran: this episode's result is stale.
    ctx.commit({ deleteMessages: consumed });
    return true;
  }
  episodeEvents.push(historyEvent(EventType.OrchestratorCompleted, -1, nowMs), ...out.events);
  out.events = [];
  const clearHistory = applyState(ctx, record, state, nowMs, out);
  record.updatedMs = nowMs;
  ctx.commit({
    putInstances: [...out.newInstances, record],
    clearHistory: [...out.newInstances.map((i) => i.instanceId), ...(clearHistory ? [instanceId] : [])],
    appendHistory: clearHistory ? [] : [{ instanceId, events: [...episodeEvents, ...out.events] }],
    deleteMessages: consumed,
    ...(isTerminal(record.status) ? { deleteMessagesFor: [instanceId] } : {}),
    addMessages: out.messages,
  });
  return true;
}

/**
 * History events for the consumed messages. Events that only make DF allocate ids (a retried task's
 * failure, a retry timer with attempts left, a long timer's intermediate fire) come first, so DF
 * allocates those ids before user code resumes and schedules new actions, in the order the host does.
 */
function eventsFromMessages(ctx: EngineContext, record: InstanceRecord, work: StoredMessage[], nowMs: number, out: EpisodeOutput): HistoryEvent[] {
  const engine = record.engine;
  const allocating: StoredMessage[] = [];
  const others: StoredMessage[] = [];
  for (const m of work) {
    const body = m.body as OrchestrationMessage;
    const task = 'taskId' in body ? engine.openTasks[body.taskId] : body.type === 'TimerFired' ? engine.openTasks[body.timerId] : undefined;
    const isRetryFailure = (body.type === 'TaskFailed' || body.type === 'SubOrchestrationFailed') && task?.retry !== undefined;
    const isRetryTimerWithAttemptsLeft = task?.kind === 'retryTimer' && task.retry !== undefined && task.retry.attempt < task.retry.policy.maxNumberOfAttempts;
    const isLongTimerStep = body.type === 'TimerFired' && task?.finalFireAtMs !== undefined && task.finalFireAtMs > nowMs;
    (isRetryFailure || isRetryTimerWithAttemptsLeft || isLongTimerStep ? allocating : others).push(m);
  }
  const events: HistoryEvent[] = [];
  for (const m of [...allocating, ...others]) {
    const body = m.body as OrchestrationMessage;
    switch (body.type) {
      case 'ExecutionStarted':
        record.status = 'Running';
        events.push(
          historyEvent(EventType.ExecutionStarted, -1, nowMs, {
            Name: record.name,
            Version: record.version,
            Input: record.input,
            OrchestrationInstance: { InstanceId: record.instanceId, ExecutionId: record.executionId },
            ParentInstance: record.parent === null ? null : { Name: null, Version: null, TaskScheduleId: record.parent.taskId, OrchestrationInstance: { InstanceId: record.parent.instanceId, ExecutionId: record.parent.executionId } },
            Tags: null,
          }),
        );
        break;
      case 'EventRaised':
        events.push(historyEvent(EventType.EventRaised, -1, nowMs, { Name: body.name, Input: body.input }));
        break;
      case 'TaskCompleted':
      case 'SubOrchestrationCompleted': {
        if (engine.openTasks[body.taskId] === undefined) break;
        delete engine.openTasks[body.taskId];
        const type = body.type === 'TaskCompleted' ? EventType.TaskCompleted : EventType.SubOrchestrationInstanceCompleted;
        events.push(historyEvent(type, -1, nowMs, { TaskScheduledId: body.taskId, Result: body.result }));
        break;
      }
      case 'TaskFailed':
      case 'SubOrchestrationFailed': {
        const task = engine.openTasks[body.taskId];
        if (task === undefined) break;
        delete engine.openTasks[body.taskId];
        const type = body.type === 'TaskFailed' ? EventType.TaskFailed : EventType.SubOrchestrationInstanceFailed;
        events.push(historyEvent(type, -1, nowMs, { TaskScheduledId: body.taskId, Reason: body.reason, Details: body.details }));
        if (task.retry !== undefined) {
          // DTFx creates a retry timer after every failure, the last one included; DF expects it (§6).
          const timerId = engine.nextEventId++;
          engine.openTasks[timerId] = { kind: 'retryTimer', retry: task.retry };
          scheduleTimer(record, timerId, nowMs + retryDelayMs(task.retry.policy, task.retry.attempt), nowMs, out);
        }
        break;
      }
      case 'TimerFired': {
        const task = engine.openTasks[body.timerId];
        if (task === undefined) break;
        delete engine.openTasks[body.timerId];
        events.push(historyEvent(EventType.TimerFired, -1, nowMs, { TimerId: body.timerId, FireAt: new Date(body.fireAtMs).toISOString() }));
        if (task.kind === 'retryTimer' && task.retry !== undefined && task.retry.attempt < task.retry.policy.maxNumberOfAttempts) {
          const retry = { ...task.retry, attempt: task.retry.attempt + 1 };
          const id = engine.nextEventId++;
          if (retry.target === 'activity') {
            engine.openTasks[id] = { kind: 'activity', retry };
            scheduleActivity(record, id, retry.name, retry.input, nowMs, out);
          } else {
            engine.openTasks[id] = { kind: 'subOrchestration', retry };
            scheduleSubOrchestration(ctx, record, id, retry.name, retry.childInstanceId ?? `${record.instanceId}:${id}`, retry.input, '', nowMs, out);
          }
        } else if (task.finalFireAtMs !== undefined && task.finalFireAtMs > nowMs) {
          const id = engine.nextEventId++;
          const next = task.finalFireAtMs - nowMs > ctx.maxShortTimerMs ? nowMs + ctx.longTimerIntervalMs : task.finalFireAtMs;
          engine.openTasks[id] = { kind: 'timer', finalFireAtMs: task.finalFireAtMs };
          scheduleTimer(record, id, next, nowMs, out);
        }
        break;
      }
      default:
        break;
    }
  }
  return events;
}

async function invokeOrchestrator(ctx: EngineContext, record: InstanceRecord, history: HistoryEvent[]): Promise<DfOrchestratorState> {
  const fn = findFunction(ctx.invoker, 'orchestrationTrigger', record.name);
  if (fn === undefined) {
    return {
      isDone: false,
      actions: [],
      error: `The function '${record.name}' doesn't exist, is disabled, or is not an orchestrator function. To fix: register it with df.app.orchestration('${record.name}', ...).`,
    };
  }
  const payload = {
    history,
    input: record.input === null ? null : (JSON.parse(record.input) as unknown),
    instanceId: record.instanceId,
    isReplaying: false,
    parentInstanceId: record.parent?.instanceId ?? null,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 3,
    longRunningTimerIntervalDuration: toTimeSpan(ctx.longTimerIntervalMs),
    maximumShortTimerDuration: toTimeSpan(ctx.maxShortTimerMs),
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  const started = Date.now();
  try {
    const state = (await invokeWithPayload(ctx.invoker, fn, payload, record.instanceId)) as DfOrchestratorState;
    ctx.log({ event: 'Sluice.Function.Invoked', function: fn.name, instanceId: record.instanceId, durationMs: Date.now() - started, outcome: 'Succeeded' });
    return state;
  } catch (error) {
    const { message } = errorText(error);
    ctx.log({ event: 'Sluice.Function.Invoked', function: fn.name, instanceId: record.instanceId, durationMs: Date.now() - started, outcome: 'Failed' });
    const at = message.indexOf(OOP_MARKER);
    if (at >= 0) return JSON.parse(message.slice(at + OOP_MARKER.length)) as DfOrchestratorState;
    return { isDone: false, actions: [], error: message };
  }
}

/** Applies the orchestrator's state; returns true when the history restarts (continue-as-new). */
function applyState(ctx: EngineContext, record: InstanceRecord, state: DfOrchestratorState, nowMs: number, out: EpisodeOutput): boolean {
  if (state.customStatus !== undefined) record.customStatus = JSON.stringify(state.customStatus);
  const actions = flattenActions(state.actions ?? []);
  const known = record.engine.actionSignatures;
  const hasActions = (state.actions ?? []).length > 0;
  if (hasActions) {
    for (let i = 0; i < Math.min(known.length, actions.length); i++) {
      const replayed = actionSignature(actions[i]!);
      if (replayed !== known[i]) {
        const error =
          `Non-deterministic workflow detected: on replay the orchestrator scheduled ${describeAction(replayed)} as action #${i}, ` +
          `but the history records ${describeAction(known[i]!)}. To fix: keep orchestrator code deterministic (no Date.now, Math.random, ` +
          'I/O or changed control flow between replays); deploy changed orchestrators under a new name.';
        return finishExecution(ctx, record, { kind: 'failed', error }, nowMs, out);
      }
    }
    if (actions.length < known.length && !state.isDone && state.error === undefined) {
      const error = `Non-deterministic workflow detected: on replay the orchestrator scheduled ${actions.length} actions, but the history records ${known.length}. To fix: keep orchestrator code deterministic.`;
      return finishExecution(ctx, record, { kind: 'failed', error }, nowMs, out);
    }
    for (let i = known.length; i < actions.length; i++) {
      try {
        applyNewAction(ctx, record, actions[i]!, nowMs, out);
      } catch (error) {
        if (!isDurableHostError(error)) throw error;
        return finishExecution(ctx, record, { kind: 'failed', error: error.message }, nowMs, out);
      }
      known.push(actionSignature(actions[i]!));
    }
  }
  if (typeof state.error === 'string' && state.error.length > 0) {
    return finishExecution(ctx, record, { kind: 'failed', error: `Orchestrator function '${record.name}' failed: ${state.error}` }, nowMs, out);
  }
  if (state.isDone) {
    const continueAsNew = actions.find((a) => a.actionType === 4);
    if (continueAsNew !== undefined) return finishExecution(ctx, record, { kind: 'continueAsNew', input: continueAsNew.input }, nowMs, out);
    return finishExecution(ctx, record, { kind: 'completed', output: state.output }, nowMs, out);
  }
  return false;
}

export function notifyParent(record: InstanceRecord, nowMs: number, outcome: 'terminated'): ReturnType<typeof orchestrationMessage>[] {
  if (record.parent === null) return [];
  return [
    orchestrationMessage(record.parent.instanceId, {
      type: 'SubOrchestrationFailed',
      executionId: record.parent.executionId,
      taskId: record.parent.taskId,
      reason: `Sub-orchestration '${record.instanceId}' was ${outcome}.`,
      details: '',
    }, nowMs),
  ];
}
