import type { EntityRecord, HistoryEvent, InstanceRecord, QueueName, StoredMessage } from '../types';
import type { Commit, DurableStore, EntityQuery, InstanceQuery } from './durable-store';
import { matchesEntity, matchesInstance } from './query';

const clone = <T>(value: T): T => structuredClone(value);

/** In-memory task hub for fast tests: same semantics as the sqlite store, nothing survives the process. */
export class MemoryStore implements DurableStore {
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly histories = new Map<string, HistoryEvent[]>();
  private readonly entities = new Map<string, EntityRecord>();
  /** Insertion-ordered, so iteration is oldest first. */
  private readonly messages = new Map<number, StoredMessage>();
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
    return record === undefined ? undefined : clone(record);
  }

  queryEntities(query: EntityQuery): EntityRecord[] {
    const rows = [...this.entities.values()].filter((r) => matchesEntity(r, query));
    rows.sort((a, b) => (a.entityId < b.entityId ? -1 : 1));
    return clone(rows.slice(0, query.limit ?? rows.length));
  }

  messagesFor(queue: QueueName, target: string, nowMs: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const m of this.messages.values()) {
      if (m.queue === queue && m.target === target && m.visibleAtMs <= nowMs) out.push(clone(m));
    }
    return out;
  }

  readyTargets(queue: QueueName, nowMs: number, exclude: ReadonlySet<string>, limit: number): string[] {
    const out = new Set<string>();
    for (const m of this.messages.values()) {
      if (out.size >= limit) break;
      if (m.queue === queue && m.visibleAtMs <= nowMs && !exclude.has(m.target)) out.add(m.target);
    }
    return [...out];
  }

  readyMessages(queue: QueueName, nowMs: number, exclude: ReadonlySet<number>, limit: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const m of this.messages.values()) {
      if (out.length >= limit) break;
      if (m.queue === queue && m.visibleAtMs <= nowMs && !exclude.has(m.id)) out.push(clone(m));
    }
    return out;
  }

  nextVisibleAfter(nowMs: number): number | undefined {
    let next: number | undefined;
    for (const m of this.messages.values()) {
      if (m.visibleAtMs > nowMs && (next === undefined || m.visibleAtMs < next)) next = m.visibleAtMs;
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
    for (const id of change.deleteMessages ?? []) this.messages.delete(id);
    if (change.deleteMessagesFor !== undefined && change.deleteMessagesFor.length > 0) {
      const targets = new Set(change.deleteMessagesFor);
      for (const [id, m] of this.messages) {
        if (m.queue === 'orchestration' && targets.has(m.target)) this.messages.delete(id);
      }
    }
    for (const m of change.addMessages ?? []) {
      const id = this.nextMessageId++;
      this.messages.set(id, { ...clone(m), id });
    }
    for (const record of change.putEntities ?? []) this.entities.set(record.entityId, clone(record));
  }

  close(): void {
    this.messages.clear();
  }
}
