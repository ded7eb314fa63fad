/**
 * Sharding a hot semaphore: one Durable entity serialises its operations (about 64 ops/s on the Azure Storage
 * backend), so a semaphore with many owners is split into N entities `<name>#0 .. <name>#N-1`, each holding a
 * share of the capacity. The entity layer:
 *  - routes every operation of an owner to `shardFor(owner, shards)` (stable, so acquire/renew/release of one
 *    owner always reach the same shard);
 *  - on a capacity change, calls `setCapacity(splitCapacity(capacity, shards)[i])` on every shard i;
 *  - sums holders/waiters over the shards for the API.
 * Each shard keeps permits held <= its share, so the sum over shards stays <= capacity (invariant 1).
 * Trade-offs: FIFO holds per shard, not globally, and a free permit on one shard does not serve a waiter on
 * another. Shard only semaphores whose requests need 1 permit (or whose `min` fits every share): a shard share
 * of 0 rejects every acquire routed to it, so keep shards <= capacity.
 */
import { SluiceError } from '../errors';

/** Splits `capacity` into `shards` shares that sum to `capacity`, differing by at most 1 (earlier shards larger). */
export function splitCapacity(capacity: number, shards: number): number[] {
  if (!Number.isInteger(capacity) || capacity < 0) {
    throw new SluiceError('InvalidArgument', `splitCapacity: capacity must be an integer >= 0, got ${capacity}. To fix: pass whole permits.`);
  }
  assertShards(shards, 'splitCapacity');
  const base = Math.floor(capacity / shards);
  const extra = capacity % shards;
  return Array.from({ length: shards }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Picks the shard of `owner` deterministically (FNV-1a 32-bit hash of its UTF-16 code units, modulo shards). */
export function shardFor(owner: string, shards: number): number {
  assertShards(shards, 'shardFor');
  let hash = 0x811c9dc5;
  for (let i = 0; i < owner.length; i++) {
    hash ^= owner.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** Entity key of shard `index` of semaphore `name` (the unsharded key when there is one shard). */
export function shardKey(name: string, index: number, shards: number): string {
  assertShards(shards, 'shardKey');
  if (!Number.isInteger(index) || index < 0 || index >= shards) {
    throw new SluiceError('InvalidArgument', `shardKey: index ${index} is outside 0..${shards - 1}. To fix: use shardFor(owner, shards).`);
  }
  return shards === 1 ? name : `${name}#${index}`;
}

function assertShards(shards: number, where: string): void {
  if (!Number.isInteger(shards) || shards < 1) {
    throw new SluiceError('InvalidArgument', `${where}: shards must be an integer >= 1, got ${shards}. To fix: configure at least one shard.`);
  }
}
