import * as df from 'durable-functions';
import type { ActivityHandler, OrchestrationContext, OrchestrationHandler } from 'durable-functions';

/** Attempts per key, so the flaky activity fails a given number of times before succeeding. */
export const attempts = new Map<string, number>();

const flaky: ActivityHandler = (input: { key: string; failures: number }): string => {
  const n = (attempts.get(input.key) ?? 0) + 1;
  attempts.set(input.key, n);
  if (n <= input.failures) throw new Error(`flaky failure ${n} of ${input.failures}`);
  return `ok after ${n}`;
};
df.app.activity('flaky', { handler: flaky });

const withRetry: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as { key: string; failures: number; maxAttempts: number };
  const retry = new df.RetryOptions(1000, input.maxAttempts);
  try {
    return (yield context.df.callActivityWithRetry('flaky', retry, input)) as string;
  } catch (error) {
    return `gave up: ${(error as Error).message.split('\n')[0]}`;
  }
};
df.app.orchestration('withRetry', withRetry);

const parent: OrchestrationHandler = function* (context: OrchestrationContext) {
  const a = (yield context.df.callSubOrchestrator('helloSequence')) as string[];
  const b = (yield context.df.callSubOrchestrator('fanOutFanIn', { count: 3 }, `${context.df.instanceId}-child`)) as number;
  return { greetings: a.length, sum: b };
};
df.app.orchestration('parent', parent);

const countdown: OrchestrationHandler = function* (context: OrchestrationContext) {
  const n = context.df.getInput() as number;
  context.df.setCustomStatus({ remaining: n });
  if (n <= 0) return 'liftoff';
  yield context.df.callActivity('sayHello', `count ${n}`);
  context.df.continueAsNew(n - 1);
  return undefined;
};
df.app.orchestration('countdown', countdown);

/** Breaks the replay rule on purpose: the activity it schedules depends on a value that changes between replays. */
export const flipper = { value: 'sayHello' };
const nonDeterministic: OrchestrationHandler = function* (context: OrchestrationContext) {
  yield context.df.callActivity(flipper.value, 'first');
  yield context.df.waitForExternalEvent('go');
  return 'done';
};
df.app.orchestration('nonDeterministic', nonDeterministic);

const failing: OrchestrationHandler = function* (context: OrchestrationContext) {
  yield context.df.callActivity('flaky', { key: `${context.df.instanceId}-once`, failures: 1 });
  return 'recovered';
};
df.app.orchestration('failing', failing);

/** Observes how many activity invocations overlap, to check host.json throttles. */
export const concurrency = { inFlight: 0, max: 0 };
const probe: ActivityHandler = async (): Promise<void> => {
  concurrency.inFlight++;
  concurrency.max = Math.max(concurrency.max, concurrency.inFlight);
  await new Promise((resolve) => setImmediate(resolve));
  concurrency.inFlight--;
};
df.app.activity('probe', { handler: probe });

const probeFanOut: OrchestrationHandler = function* (context: OrchestrationContext) {
  const n = context.df.getInput() as number;
  yield context.df.Task.all(Array.from({ length: n }, () => context.df.callActivity('probe')));
  return n;
};
df.app.orchestration('probeFanOut', probeFanOut);

const entityFailure: OrchestrationHandler = function* (context: OrchestrationContext) {
  try {
    yield context.df.callEntity(new df.EntityId('Counter', 'refuser'), 'fail');
    return 'no error';
  } catch (error) {
    return `caught: ${(error as Error).message}`;
  }
};
df.app.orchestration('entityFailure', entityFailure);

/** Activity results the test releases one by one, in an order it chooses. */
export const gates = new Map<string, (value: number) => void>();
const gated: ActivityHandler = (key: string): Promise<number> => new Promise((resolve) => gates.set(key, resolve));
df.app.activity('gated', { handler: gated });

const gatedFanOut: OrchestrationHandler = function* (context: OrchestrationContext) {
  const n = context.df.getInput() as number;
  const first = (yield context.df.callActivity('gated', `${context.df.instanceId}:0`)) as number;
  const rest = (yield context.df.Task.all(Array.from({ length: n }, (_, i) => context.df.callActivity('gated', `${context.df.instanceId}:${i + 1}`)))) as number[];
  const last = (yield context.df.callActivity('gated', `${context.df.instanceId}:last`)) as number;
  return [first, ...rest, last];
};
df.app.orchestration('gatedFanOut', gatedFanOut);

/** An activity with a durable client that raises an event to its own orchestration (the notify pattern). */
const notifyOwner: ActivityHandler = async (input: { instanceId: string }, context): Promise<void> => {
  const client = df.getClient(context);
  await client.raiseEvent(input.instanceId, 'notified', { from: 'activity' });
};
df.app.activity('notifyOwner', { handler: notifyOwner, extraInputs: [df.input.durableClient()] });

const waitForNotification: OrchestrationHandler = function* (context: OrchestrationContext) {
  yield context.df.callActivity('notifyOwner', { instanceId: context.df.instanceId });
  return (yield context.df.waitForExternalEvent('notified')) as unknown;
};
df.app.orchestration('waitForNotification', waitForNotification);
