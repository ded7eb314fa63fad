import * as df from 'durable-functions';
import type { DurableLock, OrchestrationContext, OrchestrationHandler } from 'durable-functions';

interface TransferInput {
  from: string;
  to: string;
  amount: number;
}

/** Moves an amount between two Counter entities inside a critical section, as in the official sample. */
const transfer: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { from, to, amount } = context.df.getInput() as TransferInput;
  const source = new df.EntityId('Counter', from);
  const target = new df.EntityId('Counter', to);
  const lock = (yield context.df.lock([source, target])) as DurableLock;
  let moved = 0;
  let balance: number;
  try {
    balance = (yield context.df.callEntity(source, 'get')) as number;
    if (balance >= amount) {
      yield context.df.callEntity(source, 'add', -amount);
      yield context.df.callEntity(target, 'add', amount);
      moved = amount;
      balance -= amount;
    }
  } finally {
    lock.release();
  }
  context.df.signalEntity(new df.EntityId('Counter', 'audit'), 'add', 1);
  return { moved, balance };
};
df.app.orchestration('transfer', transfer);

const counterCall: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { key, amount } = context.df.getInput() as { key: string; amount: number };
  const id = new df.EntityId('Counter', key);
  yield context.df.callEntity(id, 'add', amount);
  return (yield context.df.callEntity(id, 'get')) as number;
};
df.app.orchestration('counterCall', counterCall);
