/**
 * Persistence of the emulator: one synchronous write-through interface. The engine keeps the live state in
 * memory and records every change here; at start it loads what a previous run left. Locks are not stored:
 * after a restart every message is unlocked, as if its lock had expired without a delivery-count increment.
 */
import type { MessageRecord } from '../engine/types';

export interface SessionStateRow {
  entity: string;
  sessionId: string;
  state: Buffer;
}

export interface PersistedState {
  messages: MessageRecord[];
  sessionStates: SessionStateRow[];
  /** Last sequence number handed out per entity. */
  sequences: Map<string, number>;
}

export interface MessageStore {
  load(): PersistedState;
  putMessage(record: MessageRecord): void;
  deleteMessage(entity: string, sequenceNumber: number): void;
  /** `undefined` state deletes the row. */
  putSessionState(entity: string, sessionId: string, state: Buffer | undefined): void;
  putSequence(entity: string, lastSequenceNumber: number): void;
  close(): void;
}
