import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { EntityRecord, HistoryEvent, InstanceRecord, QueueName, StoredMessage } from '../types';
import type { Commit, DurableStore, EntityQuery, InstanceQuery } from './durable-store';

/**
 * Durable task hub on `node:sqlite` (built into Node 22, no dependency). Each `commit` is one transaction,
 * so it never leaves half a change behind. WAL journal with `synchronous=NORMAL`: a committed transaction
 * is in the WAL file when `commit` returns, so a killed process (kill -9) loses nothing; only an OS crash
 * or power loss may drop the last commits (never corrupting the hub). `FULL` would fsync every commit
 * (about 3 ms each here) for protection a local dev host does not need; pass `{ synchronous: 'FULL' }` for it.
 */
export class SqliteStore implements DurableStore {
  private readonly db: DatabaseSync;
  private readonly stmt: Record<string, StatementSync>;

  constructor(path: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}) {
    this.db = new DatabaseSync(path);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'};
      CREATE TABLE IF NOT EXISTS instances (
        instance_id TEXT PRIMARY KEY, status TEXT NOT NULL, created_ms INTEGER NOT NULL, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS history (
        instance_id TEXT NOT NULL, seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS history_by_instance ON history (instance_id, seq);
      CREATE TABLE IF NOT EXISTS entities (
        entity_id TEXT PRIMARY KEY, name TEXT NOT NULL, last_op_ms INTEGER NOT NULL, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, target TEXT NOT NULL,
        visible_at_ms INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS messages_by_target ON messages (queue, target, id);
      CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages (queue, visible_at_ms, id);
      CREATE INDEX IF NOT EXISTS messages_by_due_time ON messages (visible_at_ms);
      CREATE INDEX IF NOT EXISTS messages_by_queue ON messages (queue, id);
    `);
    const prepare = (sql: string): StatementSync => this.db.prepare(sql);
    this.stmt = {
      getInstance: prepare('SELECT record FROM instances WHERE instance_id = ?'),
      putInstance: prepare(
        'INSERT INTO instances (instance_id, status, created_ms, record) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (instance_id) DO UPDATE SET status = excluded.status, created_ms = excluded.created_ms, record = excluded.record',
      ),
      deleteInstance: prepare('DELETE FROM instances WHERE instance_id = ?'),
      getHistory: prepare('SELECT event FROM history WHERE instance_id = ? ORDER BY seq'),
      clearHistory: prepare('DELETE FROM history WHERE instance_id = ?'),
      appendHistory: prepare('INSERT INTO history (instance_id, event) VALUES (?, ?)'),
      getEntity: prepare('SELECT record FROM entities WHERE entity_id = ?'),
      putEntity: prepare(
        'INSERT INTO entities (entity_id, name, last_op_ms, record) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (entity_id) DO UPDATE SET last_op_ms = excluded.last_op_ms, record = excluded.record',
      ),
      messagesFor: prepare(
        'SELECT id, queue, target, visible_at_ms, body FROM messages INDEXED BY messages_by_target WHERE queue = ? AND target = ? AND visible_at_ms <= ? ORDER BY id',
      ),
      // Walks the (queue, visible_at_ms, id) index so the caller can stop after `limit` targets.
      readyTargets: prepare('SELECT target FROM messages WHERE queue = ? AND visible_at_ms <= ? ORDER BY visible_at_ms, id'),
      // Walks (queue, id) and stops at LIMIT: the visibility index would read and sort every visible row first
      // (10,000 queued activities = a 10,000-row sort per dispatch). Activity messages are visible when written.
      readyMessages: prepare(
        'SELECT id, queue, target, visible_at_ms, body FROM messages INDEXED BY messages_by_queue WHERE queue = ? AND visible_at_ms <= ? ORDER BY id LIMIT ?',
      ),
      nextVisible: prepare('SELECT MIN(visible_at_ms) AS next FROM messages WHERE visible_at_ms > ?'),
      deleteMessage: prepare('DELETE FROM messages WHERE id = ?'),
      deleteMessagesFor: prepare("DELETE FROM messages WHERE queue = 'orchestration' AND target = ?"),
      addMessage: prepare('INSERT INTO messages (queue, target, visible_at_ms, body) VALUES (?, ?, ?, ?)'),
    };
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    const row = this.stmt.getInstance!.get(instanceId) as { record: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.record) as InstanceRecord);
  }

  queryInstances(query: InstanceQuery): InstanceRecord[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (query.instanceIdPrefix !== undefined) {
      where.push('substr(instance_id, 1, ?) = ?');
      args.push(query.instanceIdPrefix.length, query.instanceIdPrefix);
    }
    if (query.createdFromMs !== undefined) filter(where, args, 'created_ms >= ?', query.createdFromMs);
    if (query.createdToMs !== undefined) filter(where, args, 'created_ms <= ?', query.createdToMs);
    if (query.statuses !== undefined && query.statuses.length > 0) {
      where.push(`status IN (${query.statuses.map(() => '?').join(', ')})`);
      args.push(...query.statuses);
    }
    if (query.afterInstanceId !== undefined) filter(where, args, 'instance_id > ?', query.afterInstanceId);
    const sql =
      'SELECT record FROM instances' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY instance_id' +
      (query.limit !== undefined ? ` LIMIT ${Math.floor(query.limit)}` : '');
    const rows = this.db.prepare(sql).all(...args) as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as InstanceRecord);
  }

  getHistory(instanceId: string): HistoryEvent[] {
    const rows = this.stmt.getHistory!.all(instanceId) as Array<{ event: string }>;
    return rows.map((r) => JSON.parse(r.event) as HistoryEvent);
  }

  getEntity(entityId: string): EntityRecord | undefined {
    const row = this.stmt.getEntity!.get(entityId) as { record: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.record) as EntityRecord);
  }

  queryEntities(query: EntityQuery): EntityRecord[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (query.name !== undefined) filter(where, args, 'name = ?', query.name);
    if (query.lastOperationFromMs !== undefined) filter(where, args, 'last_op_ms >= ?', query.lastOperationFromMs);
    if (query.lastOperationToMs !== undefined) filter(where, args, 'last_op_ms <= ?', query.lastOperationToMs);
    if (query.afterEntityId !== undefined) filter(where, args, 'entity_id > ?', query.afterEntityId);
    const sql =
      'SELECT record FROM entities' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY entity_id' +
      (query.limit !== undefined ? ` LIMIT ${Math.floor(query.limit)}` : '');
    const rows = this.db.prepare(sql).all(...args) as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as EntityRecord);
  }

  messagesFor(queue: QueueName, target: string, nowMs: number): StoredMessage[] {
    return (this.stmt.messagesFor!.all(queue, target, nowMs) as unknown as MessageRow[]).map(toMessage);
  }

  readyTargets(queue: QueueName, nowMs: number, exclude: ReadonlySet<string>, limit: number): string[] {
    const out = new Set<string>();
    for (const row of this.stmt.readyTargets!.iterate(queue, nowMs) as Iterable<{ target: string }>) {
      if (out.size >= limit) break;
      if (!exclude.has(row.target)) out.add(row.target);
    }
    return [...out];
  }

  readyMessages(queue: QueueName, nowMs: number, exclude: ReadonlySet<number>, limit: number): StoredMessage[] {
    const rows = this.stmt.readyMessages!.all(queue, nowMs, limit + exclude.size) as unknown as MessageRow[];
    return rows.filter((r) => !exclude.has(r.id)).slice(0, limit).map(toMessage);
  }

  nextVisibleAfter(nowMs: number): number | undefined {
    const row = this.stmt.nextVisible!.get(nowMs) as { next: number | null } | undefined;
    return row?.next ?? undefined;
  }

  commit(change: Commit): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const id of change.deleteInstances ?? []) {
        this.stmt.deleteInstance!.run(id);
        this.stmt.clearHistory!.run(id);
      }
      for (const id of change.clearHistory ?? []) this.stmt.clearHistory!.run(id);
      for (const r of change.putInstances ?? []) {
        this.stmt.putInstance!.run(r.instanceId, r.status, r.createdMs, JSON.stringify(r));
      }
      for (const { instanceId, events } of change.appendHistory ?? []) {
        for (const e of events) this.stmt.appendHistory!.run(instanceId, JSON.stringify(e));
      }
      for (const id of change.deleteMessages ?? []) this.stmt.deleteMessage!.run(id);
      for (const target of change.deleteMessagesFor ?? []) this.stmt.deleteMessagesFor!.run(target);
      for (const m of change.addMessages ?? []) {
        this.stmt.addMessage!.run(m.queue, m.target, m.visibleAtMs, JSON.stringify(m.body));
      }
      for (const e of change.putEntities ?? []) {
        this.stmt.putEntity!.run(e.entityId, e.name, e.lastOperationMs, JSON.stringify(e));
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }
}

interface MessageRow {
  id: number;
  queue: QueueName;
  target: string;
  visible_at_ms: number;
  body: string;
}

function toMessage(row: MessageRow): StoredMessage {
  return {
    id: Number(row.id),
    queue: row.queue,
    target: row.target,
    visibleAtMs: Number(row.visible_at_ms),
    body: JSON.parse(row.body) as StoredMessage['body'],
  };
}

function filter(where: string[], args: Array<string | number>, clause: string, value: string | number): void {
  where.push(clause);
  args.push(value);
}
