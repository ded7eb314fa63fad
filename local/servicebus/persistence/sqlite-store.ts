/**
 * SQLite store on `node:sqlite` (built into Node 22: no native add-on to compile, no new dependency). Every
 * write is one synchronous statement in WAL mode, so a message acknowledged to a sender is on disk.
 * Loaded through `process.getBuiltinModule` because jest 29's resolver does not know `node:sqlite`.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { MessageRecord } from '../engine/types';
import type { MessageStore, PersistedState } from './store';

type SqliteModule = typeof import('node:sqlite');

interface MessageRow {
  record: string;
  amqp: Uint8Array;
}

export class SqliteStore implements MessageStore {
  private readonly db: DatabaseSync;
  private readonly insertMessage: StatementSync;
  private readonly removeMessage: StatementSync;
  private readonly upsertState: StatementSync;
  private readonly removeState: StatementSync;
  private readonly upsertSequence: StatementSync;

  constructor(path: string) {
    const sqlite = process.getBuiltinModule('node:sqlite') as SqliteModule | undefined;
    if (!sqlite) throw new Error('node:sqlite is not available. To fix: run on Node 22.13 or later, or use persistence: "memory".');
    this.db = new sqlite.DatabaseSync(path);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS messages (entity TEXT NOT NULL, seq INTEGER NOT NULL, record TEXT NOT NULL, amqp BLOB NOT NULL, PRIMARY KEY (entity, seq));
      CREATE TABLE IF NOT EXISTS session_states (entity TEXT NOT NULL, session_id TEXT NOT NULL, state BLOB NOT NULL, PRIMARY KEY (entity, session_id));
      CREATE TABLE IF NOT EXISTS sequences (entity TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
    `);
    this.insertMessage = this.db.prepare('INSERT OR REPLACE INTO messages (entity, seq, record, amqp) VALUES (?, ?, ?, ?)');
    this.removeMessage = this.db.prepare('DELETE FROM messages WHERE entity = ? AND seq = ?');
    this.upsertState = this.db.prepare('INSERT OR REPLACE INTO session_states (entity, session_id, state) VALUES (?, ?, ?)');
    this.removeState = this.db.prepare('DELETE FROM session_states WHERE entity = ? AND session_id = ?');
    this.upsertSequence = this.db.prepare('INSERT OR REPLACE INTO sequences (entity, last_seq) VALUES (?, ?)');
  }

  load(): PersistedState {
    const messages = (this.db.prepare('SELECT record, amqp FROM messages ORDER BY entity, seq').all() as unknown as MessageRow[])
      .map((row) => ({ ...(JSON.parse(row.record) as Omit<MessageRecord, 'amqp'>), amqp: Buffer.from(row.amqp) }));
    const sessionStates = (this.db.prepare('SELECT entity, session_id, state FROM session_states').all() as unknown as
      { entity: string; session_id: string; state: Uint8Array }[])
      .map((r) => ({ entity: r.entity, sessionId: r.session_id, state: Buffer.from(r.state) }));
    const sequences = new Map<string, number>();
    for (const r of this.db.prepare('SELECT entity, last_seq FROM sequences').all() as unknown as { entity: string; last_seq: number }[]) {
      sequences.set(r.entity, Number(r.last_seq));
    }
    return { messages, sessionStates, sequences };
  }

  putMessage(record: MessageRecord): void {
    const { amqp, ...rest } = record;
    this.insertMessage.run(record.entity, record.sequenceNumber, JSON.stringify(rest), amqp);
  }
  deleteMessage(entity: string, sequenceNumber: number): void {
    this.removeMessage.run(entity, sequenceNumber);
  }
  putSessionState(entity: string, sessionId: string, state: Buffer | undefined): void {
    if (state === undefined) this.removeState.run(entity, sessionId);
    else this.upsertState.run(entity, sessionId, state);
  }
  putSequence(entity: string, lastSequenceNumber: number): void {
    this.upsertSequence.run(entity, lastSequenceNumber);
  }
  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
