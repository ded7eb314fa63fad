import type { ActivityMessage, StoredMessage } from '../types';
import { orchestrationMessage, type EngineContext } from './engine-context';
import { clientInputs, errorText, findFunction, returnValueAsJson } from './invoke';

/**
 * Runs one activity work item and commits its result together with the removal of the work item. A crash
 * before that commit leaves the item in the outbox, so it runs again after restart (at least once, as on
 * Azure); a crash after it loses nothing.
 */
export async function runActivity(ctx: EngineContext, message: StoredMessage): Promise<void> {
  const item = message.body as ActivityMessage;
  const fn = findFunction(ctx.invoker, 'activityTrigger', item.name);
  const started = Date.now();
  let body;
  if (fn === undefined) {
    body = {
      type: 'TaskFailed' as const,
      executionId: item.executionId,
      taskId: item.taskId,
      reason: `The function '${item.name}' doesn't exist, is disabled, or is not an activity function. To fix: register it with df.app.activity('${item.name}', ...).`,
      details: '',
    };
  } else {
    try {
      const output = await ctx.invoker.invoke(fn.name, {
        inputData: [
          ...(item.input === undefined ? [] : [{ name: fn.triggerBindingName, data: { json: item.input } }]),
          ...clientInputs(fn, () => ctx.durableClientPayload()),
        ],
        triggerMetadata: {},
      });
      body = { type: 'TaskCompleted' as const, executionId: item.executionId, taskId: item.taskId, result: returnValueAsJson(output.returnValue) };
    } catch (error) {
      const { message: reason, stack } = errorText(error);
      body = { type: 'TaskFailed' as const, executionId: item.executionId, taskId: item.taskId, reason, details: stack };
    }
  }
  ctx.log({
    event: 'Sluice.Function.Invoked',
    function: item.name,
    instanceId: item.instanceId,
    durationMs: Date.now() - started,
    outcome: body.type === 'TaskCompleted' ? 'Succeeded' : 'Failed',
  });
  ctx.commit({
    deleteMessages: [message.id],
    addMessages: [orchestrationMessage(item.instanceId, body, ctx.clock.nowMs())],
  });
}
