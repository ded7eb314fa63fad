import { EventType, type InstanceRecord } from '../types';
import { inputText } from './actions';
import { historyEvent, orchestrationMessage, type EngineContext } from './engine-context';
import { releaseMessages, type EpisodeOutput } from './orchestration-actions';

export type ExecutionOutcome =
  | { kind: 'completed'; output: unknown }
  | { kind: 'failed'; error: string }
  | { kind: 'continueAsNew'; input: unknown };

/**
 * Ends the current execution: records the outcome, releases held entity locks (as the extension does on
 * completion) and answers a parent orchestration. Returns true when the history must restart.
 */
export function finishExecution(ctx: EngineContext, record: InstanceRecord, outcome: ExecutionOutcome, nowMs: number, out: EpisodeOutput): boolean {
  out.messages.push(...releaseMessages(record, nowMs));
  record.engine.heldLocks = null;
  if (outcome.kind === 'continueAsNew') {
    record.executionId = ctx.newGuid().replace(/-/g, '');
    record.input = inputText(outcome.input) ?? null;
    record.status = 'Running';
    record.engine = { nextEventId: 0, actionSignatures: [], openTasks: {}, heldLocks: null };
    out.messages.push(orchestrationMessage(record.instanceId, { type: 'ExecutionStarted', executionId: record.executionId }, nowMs));
    ctx.log({ event: 'Sluice.Orchestration.ContinuedAsNew', instanceId: record.instanceId, name: record.name });
    return true;
  }
  const parent = record.parent;
  if (outcome.kind === 'completed') {
    record.status = 'Completed';
    record.output = JSON.stringify(outcome.output ?? null);
    out.events.push(historyEvent(EventType.ExecutionCompleted, -1, nowMs, { OrchestrationStatus: 1, Result: record.output }));
    if (parent !== null) {
      out.messages.push(
        orchestrationMessage(parent.instanceId, { type: 'SubOrchestrationCompleted', executionId: parent.executionId, taskId: parent.taskId, result: record.output }, nowMs),
      );
    }
  } else {
    record.status = 'Failed';
    record.output = JSON.stringify(outcome.error);
    out.events.push(historyEvent(EventType.ExecutionCompleted, -1, nowMs, { OrchestrationStatus: 3, Result: outcome.error }));
    if (parent !== null) {
      out.messages.push(
        orchestrationMessage(parent.instanceId, { type: 'SubOrchestrationFailed', executionId: parent.executionId, taskId: parent.taskId, reason: outcome.error, details: '' }, nowMs),
      );
    }
  }
  ctx.log({ event: `Sluice.Orchestration.${record.status}`, instanceId: record.instanceId, name: record.name });
  return false;
}
