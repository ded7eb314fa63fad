/**
 * The per-minute gauges of docs/telemetry.md from entity states: streams per status, and per semaphore (per
 * shard for a sharded one) the permits held, the capacity and the waiters. Pure: the timer reads the states.
 */
import { heldPermits, type SemaphoreState } from '../semaphore';
import type { StreamStatus } from '../stream';
import type { TelemetryMetric } from './contract';

/** The contract's status names: a stream with a worker is `active`. */
const statusNames: Record<StreamStatus, string> = { idle: 'idle', running: 'active', suspended: 'suspended' };

export function streamCountMetrics(statuses: readonly StreamStatus[]): TelemetryMetric[] {
  const counts = new Map<StreamStatus, number>([['running', 0], ['idle', 0], ['suspended', 0]]);
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, value]) => ({ name: 'sluice.streams.count', value, dimensions: { status: statusNames[status] } }));
}

/** `target:pg#3` is shard `target:pg#3` of semaphore `target:pg`; an unsharded key has no `shard` dimension. */
export function semaphoreMetrics(entities: ReadonlyArray<{ key: string; state: SemaphoreState }>): TelemetryMetric[] {
  return entities.flatMap(({ key, state }) => {
    const hash = key.indexOf('#');
    const dimensions: Record<string, string> = hash < 0 ? { semaphore: key } : { semaphore: key.slice(0, hash), shard: key };
    return [
      { name: 'sluice.permits.count', value: heldPermits(state), dimensions },
      { name: 'sluice.capacity.count', value: state.capacity, dimensions },
      { name: 'sluice.waiters.count', value: state.waiters.length, dimensions },
    ] satisfies TelemetryMetric[];
  });
}
