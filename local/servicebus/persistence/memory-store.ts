/** In-memory store: state lives as long as this object (tests, `persistence: 'memory'`). */
import type { MessageRecord } from '../engine/types';
import type { MessageStore, PersistedState, SessionStateRow } from './store';

export class MemoryStore implements MessageStore {
  private readonly messages = new Map<string, MessageRecord>();
  private readonly states = new Map<string, SessionStateRow>();
  private readonly sequences = new Map<string, number>();

  load(): PersistedState {
    return {
      messages: [...this.messages.values()].map((m) => ({ ...m })),
      sessionStates: [...this.states.values()],
      sequences: new Map(this.sequences),
    };
  }
  putMessage(record: MessageRecord): void {
    this.messages.set(`${record.entity}\n${record.sequenceNumber}`, { ...record });
  }
  deleteMessage(entity: string, sequenceNumber: number): void {
    this.messages.delete(`${entity}\n${sequenceNumber}`);
  }
  putSessionState(entity: string, sessionId: string, state: Buffer | undefined): void {
    const key = `${entity}\n${sessionId}`;
    if (state === undefined) this.states.delete(key);
    else this.states.set(key, { entity, sessionId, state });
  }
  putSequence(entity: string, lastSequenceNumber: number): void {
    this.sequences.set(entity, lastSequenceNumber);
  }
  close(): void {}
}
