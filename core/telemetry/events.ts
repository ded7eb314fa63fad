/**
 * Builders of the contract's events from the values the app has at hand. Pure and deterministic, so orchestrators
 * can build events during replay and hand them to the `trackTelemetry` activity.
 */
import { countText, reasonText, type TelemetryEvent } from './contract';

type EventOf<N extends TelemetryEvent['name']> = Extract<TelemetryEvent, { name: N }>;

function correlationOf(correlationIds: readonly string[] | undefined): { correlationId?: string; correlationIds?: string } {
  if (correlationIds === undefined || correlationIds.length === 0) return {};
  return { correlationId: correlationIds[0]!, correlationIds: correlationIds.join(',') };
}

export interface WindowCommittedFacts {
  streamId: string;
  pipeline: string;
  windowId: string;
  events: number;
  commitAtMs: number;
  /** Enqueue time of the window's oldest event; the lag is 0 when unknown (a window taken by an older version). */
  oldestEventAtMs?: number;
  correlationIds?: readonly string[];
}

export function windowCommittedEvent(facts: WindowCommittedFacts): EventOf<'Sluice.Window.Committed'> {
  return {
    name: 'Sluice.Window.Committed',
    properties: {
      streamId: facts.streamId,
      pipeline: facts.pipeline,
      windowId: facts.windowId,
      events: countText(facts.events),
      lagMs: countText(facts.oldestEventAtMs === undefined ? 0 : facts.commitAtMs - facts.oldestEventAtMs),
      ...correlationOf(facts.correlationIds),
    },
  };
}

/** `key` is the semaphore entity key: `target:pg`, or `target:pg#2` for shard 2 (then `shard` carries the key). */
export function permitGrantedEvent(grant: { key: string; owner: string; permits: number; waitedMs: number }): EventOf<'Sluice.Permit.Granted'> {
  const hash = grant.key.indexOf('#');
  return {
    name: 'Sluice.Permit.Granted',
    properties: {
      semaphore: hash < 0 ? grant.key : grant.key.slice(0, hash),
      owner: grant.owner,
      permits: countText(grant.permits),
      waitedMs: countText(grant.waitedMs),
      ...(hash < 0 ? {} : { shard: grant.key }),
    },
  };
}

export function streamSuspendedEvent(facts: { streamId: string; pipeline: string; reason: string; windowId?: string; correlationIds?: readonly string[] }): EventOf<'Sluice.Stream.Suspended'> {
  return {
    name: 'Sluice.Stream.Suspended',
    properties: {
      streamId: facts.streamId,
      pipeline: facts.pipeline,
      reason: reasonText(facts.reason),
      ...(facts.windowId === undefined ? {} : { windowId: facts.windowId }),
      ...correlationOf(facts.correlationIds),
    },
  };
}

export function streamResumedEvent(facts: { streamId: string; pipeline: string }): EventOf<'Sluice.Stream.Resumed'> {
  return { name: 'Sluice.Stream.Resumed', properties: { streamId: facts.streamId, pipeline: facts.pipeline } };
}

export function loadCompletedEvent(facts: { loadId: string; pipeline: string; rows: number; rejectedRows: number; durationMs: number }): EventOf<'Sluice.Load.Completed'> {
  return {
    name: 'Sluice.Load.Completed',
    properties: { loadId: facts.loadId, pipeline: facts.pipeline, rows: countText(facts.rows), rejectedRows: countText(facts.rejectedRows), durationMs: countText(facts.durationMs) },
  };
}

export function loadFailedEvent(facts: { loadId: string; pipeline: string; reason: string }): EventOf<'Sluice.Load.Failed'> {
  return { name: 'Sluice.Load.Failed', properties: { loadId: facts.loadId, pipeline: facts.pipeline, reason: reasonText(facts.reason) } };
}
