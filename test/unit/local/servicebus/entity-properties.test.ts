/**
 * Property tests of the engine's state machine: random interleavings of sends, credit, settlements, session
 * accepts/releases and clock steps never lose or duplicate a message, never give one session to two
 * receivers, and deliver each session's messages the first time in sequence order.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { message as amqpMessage } from 'rhea';
import { parseQueues } from '../../../../local/servicebus/config';
import { Broker } from '../../../../local/servicebus/engine/broker';
import { ManualClock } from '../../../../local/servicebus/engine/clock';
import type { Consumer, Delivered, Disposition } from '../../../../local/servicebus/engine/types';
import { MemoryStore } from '../../../../local/servicebus/persistence/memory-store';

class FakeConsumer implements Consumer {
  sessionId: string | undefined;
  available = 0;
  held: Delivered[] = [];
  lost = false;
  constructor(readonly id: string, readonly onDeliver: (c: FakeConsumer, d: Delivered) => void) {}
  get mode(): 'peekLock' { return 'peekLock'; }
  credit(): number { return this.available; }
  deliver(d: Delivered): void {
    this.available--;
    this.held.push(d);
    this.onDeliver(this, d);
  }
  sessionLockLost(): void { this.lost = true; }
}

type Command =
  | { kind: 'send'; session: number }
  | { kind: 'credit'; consumer: number; amount: number }
  | { kind: 'settle'; consumer: number; pick: number; disposition: Disposition['kind'] }
  | { kind: 'accept'; consumer: number; session: number | null }
  | { kind: 'release'; consumer: number }
  | { kind: 'tick'; ms: number };

const command = fc.oneof(
  fc.record({ kind: fc.constant('send' as const), session: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('credit' as const), consumer: fc.integer({ min: 0, max: 2 }), amount: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('settle' as const), consumer: fc.integer({ min: 0, max: 2 }), pick: fc.nat(),
    disposition: fc.constantFrom('complete' as const, 'abandon' as const, 'abandon' as const, 'abandon' as const, 'defer' as const, 'deadLetter' as const) }),
  fc.record({ kind: fc.constant('accept' as const), consumer: fc.integer({ min: 0, max: 2 }), session: fc.option(fc.integer({ min: 0, max: 3 })) }),
  fc.record({ kind: fc.constant('release' as const), consumer: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 1500 }) }),
);

function run(requiresSession: boolean, commands: Command[]): void {
  const clock = new ManualClock(1_000_000);
  const broker = new Broker(parseQueues([{ name: 'q', requiresSession, lockDurationInMs: 1000, maxDeliveryCount: 3 }]), clock, new MemoryStore());
  const queue = broker.entity('q')!;
  const dlq = broker.entity('q/$DeadLetterQueue')!;
  let sent = 0;
  let completed = 0;
  const firstDeliveries = new Map<string, number[]>();
  const onDeliver = (c: FakeConsumer, d: Delivered): void => {
    if (requiresSession) {
      assert.equal(d.record.sessionId, c.sessionId, 'delivered a message of another session');
      assert.equal(queue.sessions?.holder(c.sessionId as string), c, 'delivered to a consumer that does not hold the session');
    }
    if (d.record.deliveryCount === 0 && d.record.state === 'active') {
      const key = d.record.sessionId ?? '';
      const list = firstDeliveries.get(key) ?? [];
      list.push(d.record.sequenceNumber);
      firstDeliveries.set(key, list);
    }
  };
  const consumers = [0, 1, 2].map((i) => new FakeConsumer(`c${i}`, onDeliver));
  for (const c of consumers) queue.addConsumer(c);

  for (const cmd of commands) {
    const c = 'consumer' in cmd ? consumers[cmd.consumer] as FakeConsumer : undefined;
    switch (cmd.kind) {
      case 'send':
        queue.enqueue({ amqp: amqpMessage.encode({ body: sent }), messageId: `m${sent}`, sessionId: `s${cmd.session}`, timeToLiveInMs: undefined, scheduledAtMs: undefined });
        sent++;
        break;
      case 'credit':
        c!.available += cmd.amount;
        queue.pump();
        break;
      case 'settle': {
        if (c!.held.length === 0) break;
        const [d] = c!.held.splice(cmd.pick % c!.held.length, 1);
        try {
          queue.settle(d!.lockToken!, { kind: cmd.disposition } as Disposition, requiresSession ? c!.sessionId : undefined, c);
          if (cmd.disposition === 'complete') completed++;
        } catch (e) {
          assert.match((e as { condition: string }).condition, /lock-lost/);
        }
        break;
      }
      case 'accept':
        if (!requiresSession || c!.sessionId !== undefined) break;
        if (cmd.session === null) {
          queue.sessions!.acceptNext(c!, 500, () => {});
        } else {
          try { queue.sessions!.accept(`s${cmd.session}`, c!); } catch (e) {
            assert.equal((e as { condition: string }).condition, 'com.microsoft:session-cannot-be-locked');
          }
        }
        queue.pump();
        break;
      case 'release':
        queue.removeConsumer(c!);
        c!.sessionId = undefined;
        c!.held = [];
        c!.lost = false;
        queue.addConsumer(c!);
        break;
      case 'tick':
        clock.advanceBy(cmd.ms);
        for (const x of consumers) {
          if (x.lost) { queue.removeConsumer(x); x.sessionId = undefined; x.held = []; x.lost = false; queue.addConsumer(x); }
        }
        break;
    }
    // Nothing lost, nothing duplicated.
    assert.equal(queue.messageCount() + dlq.messageCount() + completed, sent, 'a message was lost or duplicated');
    // One holder per session.
    if (requiresSession) {
      const held = consumers.map((x) => x.sessionId).filter((s) => s !== undefined && queue.sessions!.holder(s) !== undefined);
      assert.equal(new Set(held).size, held.length, 'two receivers hold one session');
    }
    for (const r of queue.peek(0, Number.MAX_SAFE_INTEGER, undefined)) assert.ok(r.deliveryCount < 3, 'a message outlived maxDeliveryCount');
  }
  for (const [, seqs] of firstDeliveries) assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'first deliveries out of order');
  broker.stop();
}

describe('Service Bus engine state machine', () => {
  it('never loses or duplicates messages and delivers each first time in order (plain queue)', () => {
    fc.assert(fc.property(fc.array(command, { minLength: 20, maxLength: 150, size: 'max' }), (cmds) => run(false, cmds)), { numRuns: 150 });
  });

  it('never gives a session to two receivers, and keeps per-session first deliveries in order (session queue)', () => {
    fc.assert(fc.property(fc.array(command, { minLength: 20, maxLength: 150, size: 'max' }), (cmds) => run(true, cmds)), { numRuns: 150 });
  });
});
