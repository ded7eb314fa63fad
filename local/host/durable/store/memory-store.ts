import type { EntityRecord, HistoryEvent, InstanceRecord, QueueName, StoredMessage } from '../types';
import type { Commit, DurableStore, EntityQuery, InstanceQuery } from './durable-store';
import { matchesEntity, matchesInstance } from './query';
import { QueueIndex } from './queue-index';

// Records are plain JSON (the sqlite store serializes them too); a JSON round trip is the cheapest deep copy.
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
// An entity record's fields are all primitives (its state is JSON text), so a shallow copy is a deep one; a JSON
// round trip would re-escape the whole state on every read and commit (megabytes for a semaphore with 10,000 waiters).
const copyEntity = (record: EntityRecord): EntityRecord => ({ ...record });

/** In-memory task hub for fast tests: same semantics as the sqlite store, nothing survives the process. */
export class MemoryStore implements DurableStore {
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly histories = new Map<string, HistoryEvent[]>();
  private readonly entities = new Map<string, EntityRecord>();
  /** Per queue (delayed messages kept apart, see QueueIndex) and per target, so lookups never scan other queues/targets. */
  private readonly byQueue = new Map<QueueName, QueueIndex>();
  private readonly byTarget = new Map<string, Map<number, StoredMessage>>();
  private nextMessageId = 1;

  getInstance(instanceId: string): InstanceRecord | undefined {
    const record = this.instances.get(instanceId);
    return record === undefined ? undefined : clone(record);
  }

  queryInstances(query: InstanceQuery): InstanceRecord[] {
    const rows = [...this.instances.values()].filter((r) => matchesInstance(r, query));
    rows.sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
    return clone(rows.slice(0, query.limit ?? rows.length));
  }

  getHistory(instanceId: string): HistoryEvent[] {
    return clone(this.histories.get(instanceId) ?? []);
  }

  getEntity(entityId: string): EntityRecord | undefined {
    const record = this.entities.get(entityId);
    return record === undefined ? undefined : copyEntity(record);
  }

  queryEntities(query: EntityQuery): EntityRecord[] {
    const rows = [...this.entities.values()].filter((r) => matchesEntity(r, query));
    rows.sort((a, b) => (a.entityId < b.entityId ? -1 : 1));
    return rows.slice(0, query.limit ?? rows.length).map(copyEntity);
  }

  messagesFor(queue: QueueName, target: string, nowMs: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const m of this.byTarget.get(targetKey(queue, target))?.values() ?? []) {
      if (m.visibleAtMs <= nowMs) out.push(clone(m));
    }
    return out;
  }

  readyTargets(queue: QueueName, nowMs: number, exclude: ReadonlySet<string>, limit: number): string[] {
    const out = new Set<string>();
    for (const m of this.byQueue.get(queue)?.visible(nowMs) ?? []) {
      if (out.size >= limit) break;
      if (!exclude.has(m.target)) out.add(m.target);
    }
    return [...out];
  }

  readyMessages(queue: QueueName, nowMs: number, exclude: ReadonlySet<number>, limit: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const m of this.byQueue.get(queue)?.visible(nowMs) ?? []) {
      if (out.length >= limit) break;
      if (!exclude.has(m.id)) out.push(clone(m));
    }
    return out;
  }

  nextVisibleAfter(nowMs: number): number | undefined {
    let next: number | undefined;
    for (const queue of this.byQueue.values()) {
      const candidate = queue.nextVisibleAfter(nowMs);
      if (candidate !== undefined && (next === undefined || candidate < next)) next = candidate;
    }
    return next;
  }

  commit(change: Commit): void {
    for (const id of change.deleteInstances ?? []) {
      this.instances.delete(id);
      this.histories.delete(id);
    }
    for (const id of change.clearHistory ?? []) this.histories.delete(id);
    for (const record of change.putInstances ?? []) this.instances.set(record.instanceId, clone(record));
    for (const { instanceId, events } of change.appendHistory ?? []) {
      const list = this.histories.get(instanceId) ?? [];
      list.push(...clone(events));
      this.histories.set(instanceId, list);
    }
    for (const id of change.deleteMessages ?? []) this.deleteMessage(id);
    for (const target of change.deleteMessagesFor ?? []) {
      for (const id of [...(this.byTarget.get(targetKey('orchestration', target))?.keys() ?? [])]) this.deleteMessage(id);
    }
    for (const m of change.addMessages ?? []) {
      const message = { ...clone(m), id: this.nextMessageId++ };
      const key = targetKey(m.queue, m.target);
      if (!this.byQueue.has(m.queue)) this.byQueue.set(m.queue, new QueueIndex());
      if (!this.byTarget.has(key)) this.byTarget.set(key, new Map());
      this.byQueue.get(m.queue)!.add(message);
      this.byTarget.get(key)!.set(message.id, message);
    }
    for (const record of change.putEntities ?? []) this.entities.set(record.entityId, copyEntity(record));
  }

  close(): void {
    this.byQueue.clear();
    this.byTarget.clear();
  }

  private deleteMessage(id: number): void {
    for (const queue of this.byQueue.values()) {
      const m = queue.delete(id);
      if (m === undefined) continue;
      const key = targetKey(m.queue, m.target);
      const forTarget = this.byTarget.get(key);
      forTarget?.delete(id);
      if (forTarget?.size === 0) this.byTarget.delete(key);
      return;
    }
  }
}

const targetKey = (queue: QueueName, target: string): string => `${queue}\u0000${target}`;
