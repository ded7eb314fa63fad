/**
 * Orchestrator side of the semaphore protocol (docs/semaphores.md): acquire a permit and wait for it without
 * polling, release it, and wake the owners a release granted. Generator helpers, used with `yield*`.
 */
import * as df from 'durable-functions';
import { shardFor, shardKey, splitCapacity, type Grant } from '../core/semaphore';
import { unwrapReply, type EntityReply } from '../entities/operation';
import { semaphoreEntityName, type SemaphoreOperationInput, type SemaphoreOperationResults } from '../entities/semaphore-operations';
import { notifyGrantsActivityName, permitGrantedEventName, type NotifyGrantsInput } from '../functions/activities/notify-grants';
import type { SemaphoreUse } from './stream-worker-input';
import { fireAt, nowMs } from './time';

type Step<T> = Generator<df.Task, T, unknown>;

/** One owner's use of one semaphore: the shard its operations go to and the capacity that shard starts with. */
export interface PermitRef {
  key: string;
  owner: string;
  permits: number;
  /** Fewest permits the owner accepts (multi-permit loads); undefined = exactly `permits`. */
  min?: number;
  leaseInMs: number;
  capacityIfNew: number;
}

export function permitRef(use: SemaphoreUse, owner: string): PermitRef {
  const shard = shardFor(owner, use.shards);
  return {
    key: shardKey(use.name, shard, use.shards),
    owner,
    permits: use.permits,
    leaseInMs: use.leaseInMs,
    capacityIfNew: splitCapacity(use.capacity, use.shards)[shard]!,
  };
}

/** Retry of the notification activity; a notification that still fails is left to the waiters' re-check. */
const notifyRetry = new df.RetryOptions(1_000, 3);

export function* callSemaphore<O extends keyof SemaphoreOperationResults>(
  context: df.OrchestrationContext,
  key: string,
  operation: O,
  input: SemaphoreOperationInput<O>,
): Step<SemaphoreOperationResults[O]> {
  const result = (yield context.df.callEntity(new df.EntityId(semaphoreEntityName, key), operation, input)) as EntityReply<SemaphoreOperationResults[O]>;
  return unwrapReply(result, `semaphore(${key}).${operation}`);
}

/** Raises `PermitGranted` on every granted owner (no-op for an empty list). */
export function* notifyGranted(context: df.OrchestrationContext, key: string, grants: readonly Grant[]): Step<void> {
  if (grants.length === 0) return;
  const input: NotifyGrantsInput = { semaphore: key, grants: [...grants] };
  try {
    yield context.df.callActivityWithRetry(notifyGrantsActivityName, notifyRetry, input);
  } catch (error) {
    if (!context.df.isReplaying) context.warn('sluice:semaphores notification failed; waiters will re-check', { semaphore: key, error: String(error) });
  }
}

/**
 * How long a queued owner waits for `PermitGranted` before re-checking: `recheckInMs` near the head of the queue,
 * one more interval per `capacity` owners ahead of it, at most `maxRecheckInMs`. Every waiter re-checks (two
 * semaphore operations and an orchestration episode), so with thousands queued a fixed interval floods the hot
 * semaphore entity with re-checks that cannot be granted yet, and the releases queued behind them stall
 * (bench/README.md, stream sync). Owners far back need the re-check only as the safety net.
 */
export function recheckDelayInMs(recheckInMs: number, position: number, capacity: number, maxRecheckInMs: number): number {
  const rounds = Math.max(1, Math.ceil(position / Math.max(1, capacity)));
  return Math.max(recheckInMs, Math.min(recheckInMs * rounds, maxRecheckInMs));
}

/**
 * Acquires `ref.permits` and returns once held, with how long it waited (replay-safe clock). While queued, waits for `PermitGranted` raced with a re-check timer
 * (`recheckDelayInMs`: `recheckInMs` at the head of the queue, up to `maxRecheckInMs` far back); on either it asks
 * the entity again (acquire is idempotent per owner), after a timer it first runs `onRecheck` (the worker renews its
 * stream lease there, so the worker passes a `maxRecheckInMs` below that lease) and reaps expired leases. Events
 * are hints only: a stale one costs one entity call, never a false grant. If `onRecheck` throws, the owner leaves
 * the queue.
 */
export function* acquirePermit(
  context: df.OrchestrationContext,
  ref: PermitRef,
  recheckInMs: number,
  onRecheck?: () => Step<void>,
  maxRecheckInMs: number = recheckInMs,
): Step<{ permits: number; leaseExpiresAtMs: number; waitedMs: number }> {
  const askedAtMs = nowMs(context);
  for (let attempt = 0; ; attempt++) {
    const acquired = yield* callSemaphore(context, ref.key, 'acquire', {
      owner: ref.owner,
      want: ref.permits,
      ...(ref.min === undefined ? {} : { min: ref.min }),
      leaseInMs: ref.leaseInMs,
      capacityIfNew: ref.capacityIfNew,
      nowMs: nowMs(context),
    });
    yield* notifyGranted(context, ref.key, acquired.granted);
    if (acquired.outcome.kind === 'holding') {
      // Granted at the first ask counts as no wait (the contract's 0), whatever the entity call's round trip took.
      const waitedMs = attempt === 0 ? 0 : nowMs(context) - askedAtMs;
      return { permits: acquired.outcome.permits, leaseExpiresAtMs: acquired.outcome.leaseExpiresAtMs, waitedMs };
    }

    const granted = context.df.waitForExternalEvent(permitGrantedEventName);
    const recheck = context.df.createTimer(fireAt(context, recheckDelayInMs(recheckInMs, acquired.outcome.position, ref.capacityIfNew, maxRecheckInMs)));
    const winner = yield context.df.Task.any([granted, recheck]);
    if (winner === granted) {
      recheck.cancel();
    } else {
      if (onRecheck !== undefined) {
        try {
          yield* onRecheck();
        } catch (error) {
          const cancelled = yield* callSemaphore(context, ref.key, 'cancel', { owner: ref.owner, nowMs: nowMs(context) });
          yield* notifyGranted(context, ref.key, cancelled.granted);
          throw error;
        }
      }
      const reaped = yield* callSemaphore(context, ref.key, 'reap', { nowMs: nowMs(context) });
      yield* notifyGranted(context, ref.key, reaped.granted.filter((g) => g.owner !== ref.owner));
    }
  }
}

/** Gives the permits back (idempotent) and wakes whoever that release granted. */
export function* releasePermit(context: df.OrchestrationContext, ref: PermitRef): Step<void> {
  const released = yield* callSemaphore(context, ref.key, 'release', { owner: ref.owner, nowMs: nowMs(context) });
  yield* notifyGranted(context, ref.key, released.granted);
}
