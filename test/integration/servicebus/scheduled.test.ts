import { ManualClock } from '../../../local/servicebus';
import { receiveAtLeast, startHarness, type Harness } from './harness';

describe('Service Bus emulator: scheduled messages (injected clock)', () => {
  const start = Date.UTC(2030, 0, 1);
  let clock: ManualClock;
  let h: Harness;
  beforeEach(async () => {
    clock = new ManualClock(start);
    h = await startHarness({ clock, queues: [{ name: 'jobs' }] });
  });
  afterEach(async () => h.stop());

  it('scheduleMessages returns sequence numbers and enqueues at the scheduled time, shown as scheduled when peeked', async () => {
    const sender = h.client.createSender('jobs');
    const [seq] = await sender.scheduleMessages({ body: 'at noon' }, new Date(start + 60_000));
    expect(seq?.toNumber()).toBeGreaterThan(0);
    const receiver = h.client.createReceiver('jobs');
    const [peeked] = await receiver.peekMessages(1);
    expect(peeked?.state).toBe('scheduled');
    expect(peeked?.sequenceNumber?.toNumber()).toBe(seq?.toNumber());
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 100 })).toHaveLength(0);
    clock.advanceBy(60_000);
    const [m] = await receiveAtLeast(receiver, 1);
    expect(m?.body).toBe('at noon');
    expect(m?.sequenceNumber?.toNumber()).toBe(seq?.toNumber());
    expect(m?.enqueuedTimeUtc?.getTime()).toBe(start + 60_000);
    await receiver.completeMessage(m!);
  });

  it('a plain send with scheduledEnqueueTimeUtc is scheduled too', async () => {
    const sender = h.client.createSender('jobs');
    await sender.sendMessages({ body: 'later', scheduledEnqueueTimeUtc: new Date(start + 5000) });
    const receiver = h.client.createReceiver('jobs');
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 100 })).toHaveLength(0);
    clock.advanceBy(5000);
    expect((await receiveAtLeast(receiver, 1))[0]?.body).toBe('later');
  });

  it('cancelScheduledMessages removes scheduled messages before they are enqueued', async () => {
    const sender = h.client.createSender('jobs');
    const seqs = await sender.scheduleMessages([{ body: 'x' }, { body: 'y' }], new Date(start + 1000));
    await sender.cancelScheduledMessages(seqs);
    const receiver = h.client.createReceiver('jobs');
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    clock.advanceBy(2000);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 100 })).toHaveLength(0);
  });
});
