import fc from 'fast-check';
import type { StreamEvent } from '../../../core/coalesce';
import { isSluiceError } from '../../../core/errors';
import {
  append,
  commit,
  completeReplay,
  createStreamState,
  elect,
  fail,
  reconcile,
  renewLease,
  requestReplay,
  resume,
  suspend,
  streamStateSchema,
  streamViolations,
  take,
  type Election,
  type StreamState,
} from '../../../core/stream';

const leaseInMs = 100;
const limits = { maxRecordsPerWindow: 4, maxBlobRefsPerWindow: 2, maxEventsPerWindow: 5 };
const keys = { keyColumns: ['id'], versionColumn: 'v' };

type Op =
  | { kind: 'append'; times: number[]; ranged: boolean }
  | { kind: 'take' | 'commit' | 'fail' | 'renew' | 'completeReplay'; worker: number }
  | { kind: 'suspend' | 'resume' | 'elect' | 'reconcile' | 'replay' }
  | { kind: 'advance'; ms: number };

const workerArb = fc.nat(3);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), times: fc.array(fc.nat(500), { minLength: 1, maxLength: 4 }), ranged: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom('take' as const, 'commit' as const), worker: workerArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('fail' as const), worker: workerArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('renew' as const), worker: workerArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('suspend' as const, 'resume' as const, 'elect' as const, 'reconcile' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('completeReplay' as const), worker: workerArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 150 }) }) },
);

interface Covered {
  kind: 'committed' | 'discarded';
  windowSeq: number;
  first: number;
  last: number;
  sinceMs: number | null;
  untilMs: number;
}

/** Plain assertions in the hot loop: jest's expect costs more than the code under test. */
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** Drives the state machine like the entity + workers would, checking the invariants after every operation. */
class Simulation {
  state = createStreamState('S');
  nowMs = 0;
  workers: string[] = [];
  covered: Covered[] = [];
  lastTaken: { windowId: string; seq: number; first: number; last: number; sinceMs: number | null; untilMs: number; records: number } | null = null;
  /** Replays accepted, and those a worker took and then completed. */
  replaysAccepted: string[] = [];
  replaysCompleted: string[] = [];
  private eventId = 0;

  run(op: Op): void {
    const before = this.state;
    switch (op.kind) {
      case 'append': {
        const events: StreamEvent[] = op.times.map((t) => {
          const id = ++this.eventId;
          return op.ranged ? { stream: 'S', window: { sinceMs: t, untilMs: t + 10 }, records: [{ id, v: 1 }] } : { stream: 'S', occurredAtMs: t, records: [{ id, v: 1 }] };
        });
        this.elected(before, append(before, events, this.election()));
        break;
      }
      case 'elect':
        this.elected(before, elect(before, this.election()));
        break;
      case 'resume':
        this.elected(before, resume(before, this.election()));
        break;
      case 'suspend':
        this.state = suspend(before, 'operator', this.nowMs);
        break;
      case 'reconcile':
        this.guard(() => {
          const r = reconcile(before, { nowMs: this.nowMs, discardFailedWindow: before.suspension?.failedWindow != null });
          const failed = before.suspension?.failedWindow;
          if (failed) this.covered.push({ kind: 'discarded', windowSeq: 0, first: failed.firstEventSeq, last: failed.lastEventSeq, sinceMs: null, untilMs: failed.untilMs });
          check(r.discardedEvents === (failed ? failed.lastEventSeq - failed.firstEventSeq + 1 : 0), 'reconcile discards exactly the failed window');
          this.state = r.state;
        }, 'PreconditionFailed');
        break;
      case 'replay':
        this.guard(() => {
          const replayId = `r${this.replaysAccepted.length + 1}`;
          this.elected(before, requestReplay(before, { ...this.election(), replays: [{ replayId, windowSeq: Math.max(1, before.lastCommittedWindowSeq) }] }));
          check(before.status !== 'suspended' && before.lastCommittedWindowSeq >= 1, 'a replay is accepted only on a running or idle stream with a committed window');
          this.replaysAccepted.push(replayId);
        }, 'StreamSuspended', 'PreconditionFailed');
        break;
      case 'advance':
        this.nowMs += op.ms;
        break;
      default:
        // worker 0 and 1 mean the recorded worker (the common case), others an earlier, maybe stale, one.
        this.workerOp(op.kind, op.worker < 2 ? (before.worker?.workerId ?? 'nobody') : (this.workers[op.worker % Math.max(1, this.workers.length)] ?? 'nobody'));
    }
    this.checkInvariants();
  }

  drain(): void {
    this.nowMs += 10 * leaseInMs;
    this.elected(this.state, resume(this.state, this.election()));
    for (let i = 0; i < 1_000 && this.state.status === 'running'; i++) {
      const worker = this.state.worker!.workerId;
      const replay = this.state.openWindow === null ? this.state.replays[0] : undefined;
      this.workerOp('take', worker);
      if (this.state.status === 'running') this.workerOp(replay === undefined ? 'commit' : 'completeReplay', worker);
      this.checkInvariants();
    }
    expect(this.state.status).toBe('idle');
    expect(this.state.replays).toEqual([]);
  }

  private election(): { nowMs: number; candidateWorkerId: string; leaseInMs: number } {
    return { nowMs: this.nowMs, candidateWorkerId: `w${this.workers.length + 1}`, leaseInMs };
  }

  private elected(before: StreamState, result: Election): void {
    if (result.becomeWorker) {
      // One worker per stream: a new worker is elected only when the previous one is gone or its lease ended.
      const previous = before.worker;
      check(previous === null || previous.leaseExpiresAtMs <= this.nowMs, `elected while worker ${previous?.workerId} is live`);
      check(result.workerId === `w${this.workers.length + 1}`, 'the elected worker is the candidate');
      this.workers.push(result.workerId!);
    }
    this.state = result.state;
  }

  private workerOp(kind: 'take' | 'commit' | 'fail' | 'renew' | 'completeReplay', worker: string): void {
    const before = this.state;
    const isLive = before.status === 'running' && before.worker?.workerId === worker;
    this.guard(() => {
      if (kind === 'take') {
        const r = take(before, worker, { nowMs: this.nowMs, leaseInMs, limits, keys });
        if (r.result.kind === 'window') {
          const w = r.result.window;
          check(w.firstEventSeq === before.committedEventSeq + 1, `window starts at ${w.firstEventSeq}, not after the committed events`);
          check(w.events === w.lastEventSeq - w.firstEventSeq + 1, 'window holds its whole event range');
          check(w.records.length === w.events, 'every (unique) record of the window is in it');
          this.lastTaken = { windowId: w.windowId, seq: w.seq, first: w.firstEventSeq, last: w.lastEventSeq, sinceMs: w.sinceMs, untilMs: w.untilMs, records: w.records.length };
        }
        if (r.result.kind === 'replay') {
          // A replay runs only between windows, oldest first, and only of a committed window.
          check(before.openWindow === null && r.result.replay.replayId === before.replays[0]?.replayId, 'take hands out the head replay when no window is open');
          check(r.result.replay.windowSeq <= before.lastCommittedWindowSeq, 'only a committed window is replayed');
        }
        this.state = r.state;
      } else if (kind === 'commit') {
        const open = before.openWindow;
        const windowId = open?.windowId ?? this.lastTaken?.windowId ?? 'S/1';
        this.state = commit(before, worker, windowId, { rowsWritten: 1, rowsRejected: 0 }, this.nowMs);
        if (this.state !== before) {
          const t = this.lastTaken!;
          check(t.windowId === windowId, 'committed the window last taken');
          this.covered.push({ kind: 'committed', windowSeq: t.seq, first: t.first, last: t.last, sinceMs: t.sinceMs, untilMs: t.untilMs });
          check(this.state.watermarkMs === t.untilMs, 'the watermark moves to the window end');
        }
      } else if (kind === 'completeReplay') {
        // Completing the replay at the head, or (a stale or confused caller) the last one queued.
        const id = (worker.endsWith('1') ? before.replays.at(-1) : before.replays[0])?.replayId ?? 'none';
        this.state = completeReplay(before, worker, id);
        if (this.state !== before) {
          check(id === before.replays[0]?.replayId && before.openWindow === null, `replay ${id} completed while not the head or with a window open`);
          this.replaysCompleted.push(id);
        }
      } else if (kind === 'fail') {
        this.state = fail(before, worker, before.openWindow?.windowId ?? 'none', { nowMs: this.nowMs, error: 'boom', suspendAfterFailures: 2 }).state;
      } else {
        this.state = renewLease(before, worker, leaseInMs, this.nowMs);
      }
      // A worker operation with effects succeeds only for the one recorded worker of a running stream.
      if (this.state !== before && !(kind === 'take' && before.status === 'suspended')) check(isLive, `${kind} by ${worker}, not the live worker, had an effect`);
    }, 'StaleWorker', 'PreconditionFailed');
  }

  private guard(fn: () => void, ...allowed: string[]): void {
    try {
      fn();
    } catch (error) {
      if (!(isSluiceError(error) && allowed.includes(error.code))) throw error;
    }
  }

  checkInvariants(): void {
    // Idle only when nothing is pending (no lost wake-up), a worker exactly when running, no gaps in pending.
    const violations = streamViolations(this.state);
    if (violations.length > 0) throw new Error(violations.join('; '));
  }
}

describe('stream properties', () => {
  it('never elects two live workers, never loses an event or a replay, applies contiguous ordered windows, idles only when empty', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 20, maxLength: 100, size: 'max' }), (ops) => {
        const sim = new Simulation();
        for (const op of ops) sim.run(op);
        // The state survives the JSON round trip a Durable entity makes, and validates on load.
        expect(streamStateSchema.parse(JSON.parse(JSON.stringify(sim.state)))).toEqual(sim.state);
        sim.drain();
        // Every appended event is in exactly one committed window, or was discarded explicitly by an operator.
        let next = 1;
        let previousCommitted: Covered | null = null;
        let lastSeq = 0;
        for (const c of sim.covered) {
          expect(c.first).toBe(next);
          next = c.last + 1;
          if (c.kind === 'committed') {
            expect(c.windowSeq).toBeGreaterThan(lastSeq);
            lastSeq = c.windowSeq;
            if (previousCommitted !== null) {
              expect(c.untilMs).toBeGreaterThanOrEqual(previousCommitted.untilMs);
              expect(c.sinceMs).not.toBeNull();
              expect(c.sinceMs!).toBeLessThanOrEqual(previousCommitted.untilMs);
            }
            previousCommitted = c;
          } else {
            previousCommitted = null;
          }
        }
        expect(next).toBe(sim.state.nextEventSeq);
        // Every accepted replay ran exactly once, in the order asked.
        expect(sim.replaysCompleted).toEqual(sim.replaysAccepted);
        const s = sim.state.counters;
        expect(s.eventsCommitted + s.eventsDiscarded).toBe(s.eventsAppended);
      }),
      { numRuns: 400 },
    );
  });
});
