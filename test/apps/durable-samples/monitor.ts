import * as df from 'durable-functions';
import type { ActivityHandler, OrchestrationContext, OrchestrationHandler } from 'durable-functions';

/** Job status source the monitor polls; the test flips it to 'Completed'. */
export const jobStatuses = new Map<string, string>();

interface MonitorInput {
  jobId: string;
  pollingIntervalSeconds: number;
  expiryMinutes: number;
}

const monitorJob: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as MonitorInput;
  const expiry = context.df.currentUtcDateTime.getTime() + input.expiryMinutes * 60_000;
  let checks = 0;
  while (context.df.currentUtcDateTime.getTime() < expiry) {
    const status = (yield context.df.callActivity('getJobStatus', input.jobId)) as string;
    checks++;
    context.df.setCustomStatus({ checks, status });
    if (status === 'Completed') {
      yield context.df.callActivity('sendAlert', `Job ${input.jobId} completed`);
      return { status, checks };
    }
    const next = new Date(context.df.currentUtcDateTime.getTime() + input.pollingIntervalSeconds * 1000);
    yield context.df.createTimer(next);
  }
  return { status: 'Expired', checks };
};
df.app.orchestration('monitorJob', monitorJob);

const getJobStatus: ActivityHandler = (jobId: string): string => jobStatuses.get(jobId) ?? 'Running';
df.app.activity('getJobStatus', { handler: getJobStatus });

export const alerts: string[] = [];
const sendAlert: ActivityHandler = (message: string): void => {
  alerts.push(message);
};
df.app.activity('sendAlert', { handler: sendAlert });
