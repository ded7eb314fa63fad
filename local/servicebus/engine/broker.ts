/**
 * The engine's entry point: one `Entity` per configured queue plus its `$DeadLetterQueue`, restored from the
 * store at start. Entity names resolve case-insensitively, as on Azure.
 */
import type { QueueConfig } from '../config';
import type { MessageStore } from '../persistence/store';
import type { Clock } from './clock';
import { Entity } from './entity';

export const DEAD_LETTER_SUFFIX = '/$DeadLetterQueue';

export class Broker {
  private readonly entities = new Map<string, Entity>();

  constructor(queues: readonly QueueConfig[], readonly clock: Clock, private readonly store: MessageStore) {
    const persisted = store.load();
    for (const q of queues) {
      const queue = new Entity(q.name, q, clock, store, persisted.sequences.get(q.name) ?? 0);
      const dlqPath = q.name + DEAD_LETTER_SUFFIX;
      // A dead-letter queue is never session-enabled, never expires messages and has no size quota of its own.
      const dlq = new Entity(dlqPath, { ...q, requiresSession: false, defaultMessageTimeToLiveInMs: undefined,
        deadLetteringOnMessageExpiration: false, maxSizeInMegabytes: Number.MAX_SAFE_INTEGER }, clock, store,
      persisted.sequences.get(dlqPath) ?? 0);
      queue.deadLetter = dlq;
      this.entities.set(q.name.toLowerCase(), queue);
      this.entities.set(dlqPath.toLowerCase(), dlq);
    }
    for (const record of persisted.messages) this.entities.get(record.entity.toLowerCase())?.restore(record);
    for (const row of persisted.sessionStates) this.entities.get(row.entity.toLowerCase())?.sessions?.restoreState(row.sessionId, row.state);
  }

  /** `orders`, `orders/$DeadLetterQueue` (any case); undefined when not configured. */
  entity(path: string): Entity | undefined {
    return this.entities.get(path.replace(/^\/+|\/+$/g, '').toLowerCase());
  }

  stop(): void {
    for (const e of this.entities.values()) e.stop();
    this.store.close();
  }
}
