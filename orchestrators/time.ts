/** Replay-safe time helpers: every instant derives from `context.df.currentUtcDateTime`. */
import type * as df from 'durable-functions';

export function nowMs(context: df.OrchestrationContext): number {
  return context.df.currentUtcDateTime.getTime();
}

/** The instant `delayInMs` after the orchestration's current time, for `createTimer`. */
export function fireAt(context: df.OrchestrationContext, delayInMs: number): Date {
  // Deterministic: built from the replayed clock, never from the wall clock.
  // eslint-disable-next-line no-restricted-globals
  return new Date(nowMs(context) + delayInMs);
}
