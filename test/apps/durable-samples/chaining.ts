import * as df from 'durable-functions';
import type { ActivityHandler, OrchestrationContext, OrchestrationHandler } from 'durable-functions';

const activityName = 'sayHello';

const helloSequence: OrchestrationHandler = function* (context: OrchestrationContext) {
  const outputs: unknown[] = [];
  outputs.push(yield context.df.callActivity(activityName, 'Tokyo'));
  outputs.push(yield context.df.callActivity(activityName, 'Seattle'));
  outputs.push(yield context.df.callActivity(activityName, 'Cairo'));
  return outputs;
};
df.app.orchestration('helloSequence', helloSequence);

const sayHello: ActivityHandler = (input: string): string => `Hello, ${input}`;
df.app.activity(activityName, { handler: sayHello });
