/**
 * `semaphoreControl` orchestration: operator changes to a semaphore that can grant permits (capacity, reap,
 * cancel) and the reaper timer's `reapKeys`. It exists because the caller of a granting operation must notify the granted owners
 * (docs/semaphores.md) and a Durable client's `signalEntity` returns nothing. The management API starts it and
 * waits for its output. A sharded semaphore's capacity is split over its shards (core/semaphore/sharding.ts).
 */
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../core/errors';
import { shardKey, splitCapacity, type Grant } from '../core/semaphore';
import { unwrapReply, type EntityReply } from '../entities/operation';
import { semaphoreEntityName, semaphoreKeyPattern, type SemaphoreOperationResults } from '../entities/semaphore-operations';
import { notifyGranted } from './permits';
import { nowMs } from './time';

export const semaphoreControlOrchestrationName = 'semaphoreControl';

const name = z.string().regex(/^(source|target):[^#\s]+$/).describe('Semaphore name, e.g. "target:pg".');
const shards = z.number().int().positive().describe('Entity shards of the semaphore (1 = unsharded).');

export const semaphoreControlInputSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('setCapacity'), name, shards, capacity: z.number().int().positive() }).strict(),
  z.object({ command: z.literal('reap'), name, shards }).strict(),
  /** The reaper timer (functions/semaphore-reaper.ts): every semaphore entity key there is, shards included. */
  z.object({ command: z.literal('reapKeys'), keys: z.array(z.string().regex(semaphoreKeyPattern)).min(1) }).strict(),
  z.object({ command: z.literal('cancel'), key: z.string().regex(semaphoreKeyPattern), owner: z.string().min(1) }).strict(),
]);

export type SemaphoreControlInput = z.infer<typeof semaphoreControlInputSchema>;

export interface SemaphoreControlResult {
  /** Per entity key: the owners granted (and notified) by the change. */
  granted: Record<string, Grant[]>;
  /** Waiters removed because their minimum no longer fits; they find out at their next re-check. */
  rejected: Record<string, string[]>;
}

type Step<T> = Generator<df.Task, T, unknown>;

export function* semaphoreControl(context: df.OrchestrationContext): Step<SemaphoreControlResult> {
  const parsed = semaphoreControlInputSchema.safeParse(context.df.getInput());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('InvalidArgument', `${semaphoreControlOrchestrationName}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: send setCapacity, reap, reapKeys or cancel.`);
  }
  const input = parsed.data;
  const at = nowMs(context);
  const entity = (key: string) => new df.EntityId(semaphoreEntityName, key);
  const keys =
    input.command === 'cancel' ? [input.key] : input.command === 'reapKeys' ? input.keys : Array.from({ length: input.shards }, (_, i) => shardKey(input.name, i, input.shards));
  const shares = input.command === 'setCapacity' ? splitCapacity(input.capacity, input.shards) : [];
  if (shares.some((share) => share < 1)) {
    throw new SluiceError('InvalidArgument', `${semaphoreControlOrchestrationName}: capacity ${shares.reduce((a, b) => a + b, 0)} over ${keys.length} shards leaves a shard with 0 permits. To fix: keep shards <= capacity.`);
  }
  const tasks = keys.map((key, i) => {
    if (input.command === 'setCapacity') return context.df.callEntity(entity(key), 'setCapacity', { capacity: shares[i], nowMs: at });
    if (input.command === 'reap' || input.command === 'reapKeys') return context.df.callEntity(entity(key), 'reap', { nowMs: at });
    return context.df.callEntity(entity(key), 'cancel', { owner: input.owner, nowMs: at });
  });
  const replies = (yield context.df.Task.all(tasks)) as Array<EntityReply<Partial<SemaphoreOperationResults['setCapacity']> & { granted: Grant[] }>>;

  const result: SemaphoreControlResult = { granted: {}, rejected: {} };
  for (const [i, key] of keys.entries()) {
    const value = unwrapReply(replies[i]!, `semaphore(${key}).${input.command}`);
    result.granted[key] = value.granted;
    result.rejected[key] = value.rejected ?? [];
    yield* notifyGranted(context, key, value.granted);
  }
  return result;
}

df.app.orchestration(semaphoreControlOrchestrationName, semaphoreControl);
