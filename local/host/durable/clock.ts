import type { HostClock } from '../contracts';
import type { SchedulingClock } from '../scheduling-clock';

/**
 * Time for the durable engine: `nowMs`, and optionally `setTimer` (the host's `SchedulingClock`), which the
 * engine uses to wake for timers and delayed messages, so a `ManualClock` fires 72 h timers without waiting.
 */
export type DurableClock = HostClock & Partial<Pick<SchedulingClock, 'setTimer'>>;

/** Calls `callback` once time reaches `atMs`: through the clock's own timers when it has them. */
export function wakeAt(clock: DurableClock, atMs: number, callback: () => void): () => void {
  if (clock.setTimer !== undefined) {
    const timer = clock.setTimer(atMs, callback);
    return () => timer.cancel();
  }
  // setTimeout overflows past 2^31-1 ms; waking early is harmless because the dispatcher re-checks due times.
  const handle = setTimeout(callback, Math.min(Math.max(0, atMs - clock.nowMs()), 2_147_483_647));
  return () => clearTimeout(handle);
}
