/** Structural invariants of a stream state, for run-time checks and property tests. */
import type { StreamState } from './types';

/** Descriptions of every broken invariant; empty when the state is sound. */
export function streamViolations(state: StreamState): string[] {
  const violations: string[] = [];
  if (state.status === 'idle' && state.pending.length > 0) violations.push(`idle with ${state.pending.length} pending events (lost wake-up)`);
  if (state.status === 'idle' && state.replays.length > 0) violations.push(`idle with ${state.replays.length} queued replays (lost wake-up)`);
  if (state.status === 'running' && state.worker === null) violations.push('running without a worker');
  if (state.status !== 'running' && state.worker !== null) violations.push(`${state.status} but worker "${state.worker.workerId}" is recorded`);
  if (state.status !== 'running' && state.openWindow !== null) violations.push(`${state.status} with open window "${state.openWindow.windowId}"`);
  state.pending.forEach((pending, i) => {
    if (pending.seq !== state.committedEventSeq + 1 + i) violations.push(`pending[${i}] has seq ${pending.seq}, expected ${state.committedEventSeq + 1 + i}`);
  });
  if (state.committedEventSeq + state.pending.length !== state.nextEventSeq - 1) {
    violations.push(`events 1..${state.nextEventSeq - 1} appended but ${state.committedEventSeq} committed/discarded + ${state.pending.length} pending`);
  }
  const open = state.openWindow;
  if (open !== null) {
    if (open.firstEventSeq !== state.committedEventSeq + 1) violations.push(`open window starts at event ${open.firstEventSeq}, not ${state.committedEventSeq + 1}`);
    if (open.lastEventSeq < open.firstEventSeq || open.lastEventSeq >= state.nextEventSeq) violations.push(`open window ends at event ${open.lastEventSeq}, outside the pending events`);
    if (open.seq <= state.lastCommittedWindowSeq) violations.push(`open window seq ${open.seq} is not after the last committed ${state.lastCommittedWindowSeq}`);
  }
  const c = state.counters;
  if (c.eventsCommitted + c.eventsDiscarded !== state.committedEventSeq) {
    violations.push(`counters say ${c.eventsCommitted} committed + ${c.eventsDiscarded} discarded, state says ${state.committedEventSeq}`);
  }
  return violations;
}
