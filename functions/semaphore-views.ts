/**
 * Views of semaphores for the operators' API: a sharded semaphore is several entities `<name>#<i>`
 * (core/semaphore/sharding.ts); the API shows one semaphore with its shards aggregated.
 */
import { availablePermits, heldPermits, semaphoreStateSchema, type SemaphoreState } from '../core/semaphore';
import type { EntityRecord } from './durable-entities';

export function semaphoreStateOf(key: string, raw: unknown): SemaphoreState {
  const parsed = semaphoreStateSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new Error(`semaphore(${key}): stored state invalid at "${parsed.error.issues[0]?.path.join('.') ?? ''}"`);
}

/** `target:pg#3` -> `target:pg`. */
export function semaphoreNameOf(key: string): string {
  const hash = key.indexOf('#');
  return hash < 0 ? key : key.slice(0, hash);
}

export interface SemaphoreApiView {
  name: string;
  capacity: number;
  held: number;
  available: number;
  shards: Array<{ key: string; capacity: number; held: number; available: number }>;
  holders: Array<{ owner: string; key: string; permits: number; leaseExpiresAt: string }>;
  /** `position` is 1-based within the owner's shard: FIFO holds per shard. */
  waiters: Array<{ owner: string; key: string; position: number; want: number; min: number; enqueuedAt: string }>;
}

/** Groups entity records by semaphore name, shards in key order, names in order. */
export function semaphoreViews(entities: readonly EntityRecord[]): SemaphoreApiView[] {
  const byName = new Map<string, Array<{ key: string; state: SemaphoreState }>>();
  for (const entity of entities) {
    const name = semaphoreNameOf(entity.key);
    byName.set(name, [...(byName.get(name) ?? []), { key: entity.key, state: semaphoreStateOf(entity.key, entity.state) }]);
  }
  return [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, shards]) => aggregate(name, shards.sort((a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }))));
}

function aggregate(name: string, shards: ReadonlyArray<{ key: string; state: SemaphoreState }>): SemaphoreApiView {
  const view: SemaphoreApiView = { name, capacity: 0, held: 0, available: 0, shards: [], holders: [], waiters: [] };
  for (const { key, state } of shards) {
    const held = heldPermits(state);
    const available = availablePermits(state);
    view.capacity += state.capacity;
    view.held += held;
    view.available += available;
    view.shards.push({ key, capacity: state.capacity, held, available });
    for (const [owner, holder] of Object.entries(state.holders)) {
      view.holders.push({ owner, key, permits: holder.permits, leaseExpiresAt: new Date(holder.leaseExpiresAtMs).toISOString() });
    }
    state.waiters.forEach((w, i) => view.waiters.push({ owner: w.owner, key, position: i + 1, want: w.want, min: w.min, enqueuedAt: new Date(w.enqueuedAtMs).toISOString() }));
  }
  return view;
}
