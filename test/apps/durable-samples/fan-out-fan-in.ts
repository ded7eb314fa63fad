import * as df from 'durable-functions';
import type { ActivityHandler, OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';

const fanOutFanIn: OrchestrationHandler = function* (context: OrchestrationContext) {
  const count = (context.df.getInput() as { count?: number } | undefined)?.count ?? 5;
  const items = (yield context.df.callActivity('getWorkItems', count)) as number[];
  const tasks: Task[] = items.map((item) => context.df.callActivity('processItem', item));
  const results = (yield context.df.Task.all(tasks)) as number[];
  return results.reduce((sum, r) => sum + r, 0);
};
df.app.orchestration('fanOutFanIn', fanOutFanIn);

const getWorkItems: ActivityHandler = (count: number): number[] => Array.from({ length: count }, (_, i) => i + 1);
df.app.activity('getWorkItems', { handler: getWorkItems });

const processItem: ActivityHandler = (item: number): number => item * 2;
df.app.activity('processItem', { handler: processItem });
