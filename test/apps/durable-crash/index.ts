/**
 * App for the kill -9 test: a 4-step chain whose steps append to a run log. With CRASH_BLOCK=1 step 3
 * never finishes (the host is killed while it runs); after restart it completes normally.
 */
import { appendFileSync } from 'node:fs';
import * as df from 'durable-functions';
import type { ActivityHandler, EntityContext, OrchestrationContext, OrchestrationHandler } from 'durable-functions';

const recordStep: ActivityHandler = async (step: number): Promise<number> => {
  appendFileSync(process.env['CRASH_RUNS_FILE'] ?? '', `${step}\n`);
  if (step === 3 && process.env['CRASH_BLOCK'] === '1') {
    process.stdout.write('STEP3_BLOCKED\n');
    await new Promise(() => undefined);
  }
  return step * 10;
};
df.app.activity('recordStep', { handler: recordStep });

const crashChain: OrchestrationHandler = function* (context: OrchestrationContext) {
  const results: number[] = [];
  for (let step = 1; step <= 4; step++) results.push((yield context.df.callActivity('recordStep', step)) as number);
  return results;
};
df.app.orchestration('crashChain', crashChain);

df.app.entity('Tally', (context: EntityContext<number>) => {
  const current = context.df.getState(() => 0) ?? 0;
  if (context.df.operationName === 'add') context.df.setState(current + (context.df.getInput() as number));
});

const recordItem: ActivityHandler = (item: number): number => {
  appendFileSync(process.env['CRASH_RUNS_FILE'] ?? '', `item ${item}\n`);
  return item * 2;
};
df.app.activity('recordItem', { handler: recordItem });

/** Fan-out, then one signal per result: signals are committed with the episode, so the tally is exact. */
const crashFanOut: OrchestrationHandler = function* (context: OrchestrationContext) {
  const n = context.df.getInput() as number;
  const results = (yield context.df.Task.all(Array.from({ length: n }, (_, i) => context.df.callActivity('recordItem', i + 1)))) as number[];
  const tally = new df.EntityId('Tally', context.df.instanceId);
  for (const r of results) context.df.signalEntity(tally, 'add', r);
  return results.reduce((sum, r) => sum + r, 0);
};
df.app.orchestration('crashFanOut', crashFanOut);
