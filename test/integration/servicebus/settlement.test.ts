import { isServiceBusError } from '@azure/service-bus';
import { ManualClock } from '../../../local/servicebus';
import { receiveAtLeast, startHarness, waitFor, type Harness } from './harness';

describe('Service Bus emulator: settlement, delivery count, dead-lettering and deferral', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      queues: [
        { name: 'work', maxDeliveryCount: 3 },
        { name: 'short-lock', lockDurationInMs: 300, maxDeliveryCount: 5 },
      ],
    });
  });
  afterAll(async () => h.stop());

  it('abandon redelivers with deliveryCount + 1 and modified properties; max delivery count dead-letters with MaxDeliveryCountExceeded', async () => {
    const sender = h.client.createSender('work');
    await sender.sendMessages({ body: 'poison', messageId: 'p1' });
    const receiver = h.client.createReceiver('work');
    for (let attempt = 0; attempt < 3; attempt++) {
      const [m] = await receiveAtLeast(receiver, 1);
      expect(m?.deliveryCount).toBe(attempt);
      if (attempt === 0) expect(m?.applicationProperties).toBeUndefined();
      else expect(m?.applicationProperties).toEqual({ tries: attempt });
      await receiver.abandonMessage(m!, { tries: attempt + 1 });
    }
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 100 })).toHaveLength(0);
    const dlq = h.client.createReceiver('work', { subQueueType: 'deadLetter' });
    const [dead] = await receiveAtLeast(dlq, 1);
    expect(dead?.messageId).toBe('p1');
    expect(dead?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead?.deadLetterErrorDescription).toBe('Message could not be consumed after 3 delivery attempts.');
    expect(dead?.deadLetterSource).toBe('work');
    await dlq.completeMessage(dead!);
    await Promise.all([dlq.close(), receiver.close(), sender.close()]);
  });

  it('deadLetterMessage moves the message to $DeadLetterQueue with reason, description and properties', async () => {
    const sender = h.client.createSender('work');
    await sender.sendMessages({ body: 'bad', messageId: 'd1' });
    const receiver = h.client.createReceiver('work');
    const [m] = await receiveAtLeast(receiver, 1);
    await receiver.deadLetterMessage(m!, { deadLetterReason: 'Invalid', deadLetterErrorDescription: 'missing field x', extra: 'yes' });
    const dlq = h.client.createReceiver('work', { subQueueType: 'deadLetter' });
    const [dead] = await receiveAtLeast(dlq, 1);
    expect(dead?.messageId).toBe('d1');
    expect(dead?.deadLetterReason).toBe('Invalid');
    expect(dead?.deadLetterErrorDescription).toBe('missing field x');
    expect(dead?.applicationProperties?.extra).toBe('yes');
    // Renewing a DLQ message lock goes to the DLQ's own $management node.
    expect((await dlq.renewMessageLock(dead!)).getTime()).toBeGreaterThan(Date.now());
    await dlq.completeMessage(dead!);
    await Promise.all([dlq.close(), receiver.close(), sender.close()]);
  });

  it('defer hides the message until receiveDeferredMessages; deferred messages settle through $management', async () => {
    const sender = h.client.createSender('work');
    await sender.sendMessages([{ body: 'later' }, { body: 'now' }]);
    const receiver = h.client.createReceiver('work');
    const [first] = await receiveAtLeast(receiver, 1);
    expect(first?.body).toBe('later');
    const seq = first!.sequenceNumber!;
    await receiver.deferMessage(first!);
    const [second] = await receiveAtLeast(receiver, 1);
    expect(second?.body).toBe('now');
    await receiver.completeMessage(second!);
    const [peeked] = await receiver.peekMessages(1, { fromSequenceNumber: seq });
    expect(peeked?.state).toBe('deferred');
    const [deferred] = await receiver.receiveDeferredMessages(seq);
    expect(deferred?.body).toBe('later');
    expect(deferred?.lockToken).toBeDefined();
    await receiver.completeMessage(deferred!);
    const err = await receiver.receiveDeferredMessages(seq).catch((e: unknown) => e);
    expect(isServiceBusError(err) && err.code).toBe('MessageNotFound');
    await Promise.all([receiver.close(), sender.close()]);
  });

  it('an expired lock makes the message available again with deliveryCount + 1, and settling it fails with MessageLockLost', async () => {
    const sender = h.client.createSender('short-lock');
    await sender.sendMessages({ body: 'slow' });
    const receiver = h.client.createReceiver('short-lock', { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await receiveAtLeast(receiver, 1);
    const [again] = await receiveAtLeast(receiver, 1, 3000);
    expect(again?.body).toBe('slow');
    expect(again?.deliveryCount).toBe(1);
    const err = await receiver.completeMessage(m!).catch((e: unknown) => e);
    expect(isServiceBusError(err) && err.code).toBe('MessageLockLost');
    await receiver.completeMessage(again!);
    await Promise.all([receiver.close(), sender.close()]);
  });

  it('renewMessageLock extends the lock past the lock duration', async () => {
    const sender = h.client.createSender('short-lock');
    await sender.sendMessages({ body: 'renew me' });
    const receiver = h.client.createReceiver('short-lock', { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await receiveAtLeast(receiver, 1);
    const before = m!.lockedUntilUtc!.getTime();
    const until = await waitFor('a later lock expiry', async () => {
      const u = await receiver.renewMessageLock(m!);
      return u.getTime() > before ? u : undefined;
    });
    expect(until.getTime()).toBeGreaterThan(before);
    await receiver.completeMessage(m!);
    await Promise.all([receiver.close(), sender.close()]);
  });
});

describe('Service Bus emulator: time to live (injected clock)', () => {
  it('caps TTL at the queue default, moves expired messages to the dead-letter queue with TTLExpiredException when enabled, and drops them otherwise', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const h = await startHarness({
      clock,
      queues: [
        { name: 'ttl-dlq', deadLetteringOnMessageExpiration: true, defaultMessageTimeToLiveInMs: 120_000 },
        { name: 'ttl-drop' },
      ],
    });
    try {
      await h.client.createSender('ttl-dlq').sendMessages([{ body: 'old', messageId: 'e1', timeToLive: 30_000 }, { body: 'fresh', timeToLive: 600_000 }]);
      await h.client.createSender('ttl-drop').sendMessages({ body: 'gone', timeToLive: 1000 });
      clock.advanceBy(61_000);
      const receiver = h.client.createReceiver('ttl-dlq');
      const [live] = await receiveAtLeast(receiver, 1);
      expect(live?.body).toBe('fresh');
      const [dead] = await receiveAtLeast(h.client.createReceiver('ttl-dlq', { subQueueType: 'deadLetter' }), 1);
      expect(dead?.messageId).toBe('e1');
      expect(dead?.deadLetterReason).toBe('TTLExpiredException');
      const dropReceiver = h.client.createReceiver('ttl-drop');
      expect(await dropReceiver.peekMessages(5)).toHaveLength(0);
      expect(await h.client.createReceiver('ttl-drop', { subQueueType: 'deadLetter' }).peekMessages(5)).toHaveLength(0);
    } finally {
      await h.stop();
    }
  });
});
