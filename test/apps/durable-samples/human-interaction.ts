import * as df from 'durable-functions';
import type { ActivityHandler, OrchestrationContext, OrchestrationHandler } from 'durable-functions';

const approvalWorkflow: OrchestrationHandler = function* (context: OrchestrationContext) {
  const timeoutHours = (context.df.getInput() as { timeoutHours?: number } | undefined)?.timeoutHours ?? 72;
  yield context.df.callActivity('requestApproval', context.df.instanceId);
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + timeoutHours * 3600_000);
  const timeoutTask = context.df.createTimer(deadline);
  const approvalTask = context.df.waitForExternalEvent('Approval');
  const winner = yield context.df.Task.any([approvalTask, timeoutTask]);
  if (winner === approvalTask) {
    timeoutTask.cancel();
    return (yield context.df.callActivity('processApproval', approvalTask.result)) as string;
  }
  return (yield context.df.callActivity('escalate', context.df.instanceId)) as string;
};
df.app.orchestration('approvalWorkflow', approvalWorkflow);

const requestApproval: ActivityHandler = (): void => undefined;
df.app.activity('requestApproval', { handler: requestApproval });

const processApproval: ActivityHandler = (approval: { approved: boolean }): string => (approval.approved ? 'approved' : 'rejected');
df.app.activity('processApproval', { handler: processApproval });

const escalate: ActivityHandler = (instanceId: string): string => `escalated ${instanceId}`;
df.app.activity('escalate', { handler: escalate });
