import { wakeAt } from '../clock';
import type { StoredMessage } from '../types';
import { runActivity } from './activity-runner';
import type { EngineContext } from './engine-context';
import { runEntityEpisode } from './entity-episode';
import { runOrchestrationEpisode } from './orchestration-episode';

export interface DispatcherLimits {
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  maxConcurrentEntityFunctions: number;
}

/**
 * Pulls ready work from the store and runs it within the host.json concurrency limits. Work is only
 * ever taken from the store, so after a restart the same loop resumes everything that was committed.
 * One episode per orchestration instance and one batch per entity run at a time (serial per target).
 */
export class Dispatcher {
  private readonly runningOrchestrations = new Set<string>();
  private readonly runningEntities = new Set<string>();
  private readonly runningActivities = new Set<number>();
  /** Targets whose queued messages cannot progress (suspended, waiting for a lock) until a new message arrives. */
  private readonly parked = new Set<string>();
  private pumpQueued = false;
  private stopped = true;
  private cancelWake: (() => void) | undefined;
  private wakeAtMs: number | undefined;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly ctx: EngineContext,
    private readonly limits: DispatcherLimits,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /**
   * Stops taking work and waits up to `graceInMs` for running work. Work still running after that is
   * abandoned, not lost: its messages stay in the store and run again on the next start.
   */
  async stop(graceInMs: number): Promise<void> {
    this.stopped = true;
    this.cancelWake?.();
    this.cancelWake = undefined;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceInMs)));
    await Promise.race([this.whenIdle(), grace]);
    clearTimeout(timer);
  }

  /** Called after every commit: new messages may unpark their targets. */
  notify(targets: Iterable<string>): void {
    for (const t of targets) this.parked.delete(t);
    this.schedule();
  }

  /** Resolves when nothing is running or about to be picked up (queued timers may remain). */
  whenIdle(): Promise<void> {
    if (this.busy() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private busy(): number {
    // A pending pump counts: a message committed just now (e.g. a signal) has not started yet but will.
    return this.runningOrchestrations.size + this.runningEntities.size + this.runningActivities.size + (this.pumpQueued ? 1 : 0);
  }

  private schedule(): void {
    if (this.pumpQueued || this.stopped) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      try {
        this.pump();
      } catch (error) {
        this.onError(error);
      }
    });
  }

  private pump(): void {
    if (this.stopped) return;
    const { store, clock } = this.ctx;
    const nowMs = clock.nowMs();
    const activitySlots = this.limits.maxConcurrentActivityFunctions - this.runningActivities.size;
    if (activitySlots > 0) {
      for (const m of store.readyMessages('activity', nowMs, this.runningActivities, activitySlots)) this.startActivity(m);
    }
    const orchestrationSlots = this.limits.maxConcurrentOrchestratorFunctions - this.runningOrchestrations.size;
    if (orchestrationSlots > 0) {
      const exclude = new Set([...this.runningOrchestrations, ...this.parked]);
      for (const id of store.readyTargets('orchestration', nowMs, exclude, orchestrationSlots)) {
        this.startTarget(this.runningOrchestrations, id, () => runOrchestrationEpisode(this.ctx, id));
      }
    }
    const entitySlots = this.limits.maxConcurrentEntityFunctions - this.runningEntities.size;
    if (entitySlots > 0) {
      const exclude = new Set([...this.runningEntities, ...this.parked]);
      for (const id of store.readyTargets('entity', nowMs, exclude, entitySlots)) {
        this.startTarget(this.runningEntities, id, () => runEntityEpisode(this.ctx, id));
      }
    }
    this.armWake(nowMs);
    if (this.busy() === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private armWake(nowMs: number): void {
    const next = this.ctx.store.nextVisibleAfter(nowMs);
    if (next === undefined || next === this.wakeAtMs) return;
    this.cancelWake?.();
    this.wakeAtMs = next;
    this.cancelWake = wakeAt(this.ctx.clock, next, () => {
      this.wakeAtMs = undefined;
      this.cancelWake = undefined;
      // A due message may belong to a parked target (e.g. a timer of a suspended instance): look again.
      this.parked.clear();
      this.schedule();
    });
  }

  private startActivity(message: StoredMessage): void {
    this.runningActivities.add(message.id);
    void runActivity(this.ctx, message)
      .catch((error: unknown) => this.onError(error))
      .finally(() => this.finished(() => this.runningActivities.delete(message.id)));
  }

  private startTarget(running: Set<string>, id: string, run: () => Promise<boolean>): void {
    running.add(id);
    void run()
      .then((progressed) => {
        if (!progressed) this.parked.add(id);
      })
      .catch((error: unknown) => {
        this.parked.add(id);
        this.onError(error);
      })
      .finally(() => this.finished(() => running.delete(id)));
  }

  private finished(release: () => void): void {
    release();
    if (this.busy() === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    this.schedule();
  }
}
