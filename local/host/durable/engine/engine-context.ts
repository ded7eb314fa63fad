import type { FunctionInvoker } from '../../contracts';
import type { DurableClock } from '../clock';
import type { Commit, DurableStore } from '../store/durable-store';
import type { HistoryEvent, NewMessage } from '../types';

export interface EngineLogEntry {
  event: string;
  [property: string]: unknown;
}

/** What every part of the engine shares. `commit` persists a change and wakes the dispatcher. */
export interface EngineContext {
  store: DurableStore;
  invoker: FunctionInvoker;
  clock: DurableClock;
  hubName: string;
  maxShortTimerMs: number;
  longTimerIntervalMs: number;
  maxEntityBatchSize: number;
  commit(change: Commit): void;
  /** JSON value of a `durableClient` input binding, for activities and entities that declare one. */
  durableClientPayload(): unknown;
  log(entry: EngineLogEntry): void;
  newGuid(): string;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function historyEvent(eventType: number, eventId: number, nowMs: number, fields: Record<string, unknown> = {}): HistoryEvent {
  return { EventType: eventType, EventId: eventId, IsPlayed: false, Timestamp: isoTime(nowMs), ...fields };
}

export function orchestrationMessage(target: string, body: NewMessage['body'], visibleAtMs: number): NewMessage {
  return { queue: 'orchestration', target, visibleAtMs, body };
}
