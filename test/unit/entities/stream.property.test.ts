import fc from 'fast-check';
import type { StreamState } from '../../../core/stream';
import { loadApp } from '../../support/durable-app';
import { runBatch, type BatchOperation } from '../../support/entity-batch';

const app = loadApp();
const streamId = 'S';
const leaseInMs = 50;
const limits = { maxRecordsPerWindow: 3, maxBlobRefsPerWindow: 2, maxEventsPerWindow: 4 };
const keys = { keyColumns: ['id'], versionColumn: 'v' };
const workers = ['w1', 'w2'];

type Command =
  | { kind: 'append'; count: number; worker: number; advance: number }
  | { kind: 'take' | 'commit' | 'fail'; worker: number; advance: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 0, max: 3 }), worker: fc.integer({ min: 0, max: 1 }), advance: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constantFrom('take' as const, 'commit' as const, 'fail' as const), worker: fc.integer({ min: 0, max: 1 }), advance: fc.integer({ min: 0, max: 30 }) }),
);

describe('stream entity under random interleavings', () => {
  it('keeps the core invariants through the Durable entity adapter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), async (commands, batchSize) => {
        let state: StreamState | undefined;
        let nowMs = 0;
        let nextEventTime = 1;
        const lastWindow = new Map<string, string>();
        const committedWindowSeqs: number[] = [];
        for (let start = 0; start < commands.length; start += batchSize) {
          const slice = commands.slice(start, start + batchSize);
          const ops: BatchOperation[] = slice.map((c) => {
            nowMs += c.advance;
            const workerId = workers[c.worker]!;
            if (c.kind === 'append') {
              const events = Array.from({ length: c.count }, () => {
                const t = nextEventTime++;
                return { stream: streamId, occurredAtMs: t, records: [{ id: t % 5, v: t }] };
              });
              return { name: 'append', input: { events, candidateWorkerId: workerId, leaseInMs, nowMs } };
            }
            if (c.kind === 'take') return { name: 'take', input: { workerId, leaseInMs, nowMs, limits, keys } };
            const windowId = lastWindow.get(workerId) ?? `${streamId}/1`;
            if (c.kind === 'commit') return { name: 'commit', input: { workerId, windowId, counts: { rowsWritten: 1, rowsRejected: 0 }, nowMs } };
            return { name: 'fail', input: { workerId, windowId, error: 'boom', suspendAfterFailures: 3, nowMs } };
          });
          const before = state;
          const out = await runBatch<StreamState>(app, 'stream', streamId, state, ops);
          expect(out.errors).toEqual([]);
          out.results.forEach((result, i) => {
            const reply = result as { ok: boolean; value?: { kind?: string; window?: { windowId: string; seq: number } }; error?: { code: string } };
            if (!reply.ok) expect(['StaleWorker', 'PreconditionFailed']).toContain(reply.error?.code);
            const op = ops[i]!;
            const workerId = (op.input as { workerId?: string }).workerId;
            if (op.name === 'take' && reply.ok && reply.value?.kind === 'window') lastWindow.set(workerId!, reply.value.window!.windowId);
          });
          state = out.state;
          if (state === undefined) continue;
          if (before !== undefined && state.lastCommittedWindowSeq > before.lastCommittedWindowSeq) committedWindowSeqs.push(state.lastCommittedWindowSeq);
          // One worker at most, and only while running.
          expect(state.worker === null || state.status === 'running').toBe(true);
          // Nothing lost: every appended event is pending, committed or discarded.
          expect(state.counters.eventsAppended).toBe(state.counters.eventsCommitted + state.counters.eventsDiscarded + state.pending.length);
          // Pending is the consecutive tail after the committed prefix.
          state.pending.forEach((p, i) => expect(p.seq).toBe(state!.committedEventSeq + 1 + i));
          // An open window is the head of pending.
          if (state.openWindow !== null) expect(state.openWindow.firstEventSeq).toBe(state.committedEventSeq + 1);
          // A suspended stream has no worker and no open window.
          if (state.status === 'suspended') expect([state.worker, state.openWindow]).toEqual([null, null]);
        }
        // Windows are committed in order, each once.
        committedWindowSeqs.forEach((seq, i) => i > 0 && expect(seq).toBeGreaterThan(committedWindowSeqs[i - 1]!));
      }),
      { numRuns: 150 },
    );
  });
});
