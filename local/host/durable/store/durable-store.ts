import type { EntityRecord, HistoryEvent, InstanceRecord, NewMessage, QueueName, RuntimeStatus, StoredMessage } from '../types';

/**
 * One state change of the task hub. A store applies it atomically: either everything (instance rows,
 * history appends, consumed and produced messages, entity rows) is durable, or nothing is. The engine
 * commits before it acts on a change, which is what makes a kill -9 at any point recoverable.
 */
export interface Commit {
  putInstances?: InstanceRecord[];
  /** History rows to drop first (continue-as-new, restart, rewind, purge). */
  clearHistory?: string[];
  appendHistory?: Array<{ instanceId: string; events: HistoryEvent[] }>;
  deleteMessages?: number[];
  /** Drop every message addressed to these orchestration instances (completion, terminate, purge). */
  deleteMessagesFor?: string[];
  addMessages?: NewMessage[];
  putEntities?: EntityRecord[];
  deleteInstances?: string[];
}

export interface InstanceQuery {
  instanceIdPrefix?: string;
  createdFromMs?: number;
  createdToMs?: number;
  statuses?: RuntimeStatus[];
  /** Exclusive: list instance ids greater than this one (continuation). */
  afterInstanceId?: string;
  limit?: number;
}

export interface EntityQuery {
  name?: string;
  lastOperationFromMs?: number;
  lastOperationToMs?: number;
  afterEntityId?: string;
  limit?: number;
}

/** Persistence of the local task hub; synchronous because both implementations are in-process. */
export interface DurableStore {
  getInstance(instanceId: string): InstanceRecord | undefined;
  queryInstances(query: InstanceQuery): InstanceRecord[];
  getHistory(instanceId: string): HistoryEvent[];
  getEntity(entityId: string): EntityRecord | undefined;
  queryEntities(query: EntityQuery): EntityRecord[];
  /** Messages for one target visible at `nowMs`, oldest first. */
  messagesFor(queue: QueueName, target: string, nowMs: number): StoredMessage[];
  /** Targets having a visible message, skipping `exclude`; roughly oldest first (order may differ per store). */
  readyTargets(queue: QueueName, nowMs: number, exclude: ReadonlySet<string>, limit: number): string[];
  /** Visible messages of a queue, oldest first, skipping ids in `exclude`. */
  readyMessages(queue: QueueName, nowMs: number, exclude: ReadonlySet<number>, limit: number): StoredMessage[];
  /** Earliest visibility time of a not-yet-visible message, if any. */
  nextVisibleAfter(nowMs: number): number | undefined;
  commit(change: Commit): void;
  close(): void;
}
