import { isServiceBusError } from '@azure/service-bus';
import { receiveAtLeast, startHarness, waitFor, type Harness } from './harness';

describe('Service Bus emulator: senders, broker-assigned ids and peek-lock receive', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ queues: [{ name: 'orders' }, { name: 'tiny', maxSizeInMegabytes: 1 }], maxMessageSizeInBytes: 64 * 1024 });
  });
  afterAll(async () => h.stop());

  it('delivers single, array and batch sends in order with sequence numbers, enqueued time and locks', async () => {
    const sender = h.client.createSender('orders');
    await sender.sendMessages({ body: { n: 1 }, applicationProperties: { kind: 'single' } });
    await sender.sendMessages([{ body: { n: 2 } }, { body: { n: 3 }, messageId: 'mine-3' }]);
    const batch = await sender.createMessageBatch();
    expect(batch.maxSizeInBytes).toBe(64 * 1024);
    expect(batch.tryAddMessage({ body: { n: 4 } })).toBe(true);
    expect(batch.tryAddMessage({ body: { n: 5 } })).toBe(true);
    await sender.sendMessages(batch);

    const receiver = h.client.createReceiver('orders');
    const got = await receiveAtLeast(receiver, 5);
    expect(got.map((m) => (m.body as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    const seqs = got.map((m) => m.sequenceNumber?.toNumber());
    expect(seqs).toEqual([...seqs].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(new Set(seqs).size).toBe(5);
    for (const m of got) {
      expect(m.messageId).toBeDefined();
      expect(m.lockToken).toMatch(/^[0-9a-f-]{36}$/);
      expect(m.deliveryCount).toBe(0);
      expect(m.enqueuedTimeUtc?.getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(m.lockedUntilUtc?.getTime()).toBeGreaterThan(Date.now());
    }
    expect(got[0]?.applicationProperties).toEqual({ kind: 'single' });
    expect(got[2]?.messageId).toBe('mine-3');
    for (const m of got) await receiver.completeMessage(m);
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
    await sender.close();
  });

  it('rejects an unknown queue with MessagingEntityNotFound, as Azure does', async () => {
    const sender = h.client.createSender('no-such-queue');
    const err = await sender.sendMessages({ body: 'x' }).catch((e: unknown) => e);
    expect(isServiceBusError(err) && err.code).toBe('MessagingEntityNotFound');
    const receiver = h.client.createReceiver('no-such-queue');
    const err2 = await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 }).catch((e: unknown) => e);
    expect(isServiceBusError(err2) && err2.code).toBe('MessagingEntityNotFound');
  });

  it('fails a message larger than the advertised max-message-size with MessageSizeExceeded', async () => {
    const sender = h.client.createSender('orders');
    const err = await sender.sendMessages({ body: 'x'.repeat(70 * 1024) }).catch((e: unknown) => e);
    expect(isServiceBusError(err) && err.code).toBe('MessageSizeExceeded');
    await sender.close();
  });

  it('fails sends past maxSizeInMegabytes with QuotaExceeded', async () => {
    const sender = h.client.createSender('tiny');
    const chunk = 'y'.repeat(60 * 1024);
    let err: unknown;
    for (let i = 0; i < 20 && err === undefined; i++) err = await sender.sendMessages({ body: chunk }).then(() => undefined, (e: unknown) => e);
    expect(isServiceBusError(err) && err.code).toBe('QuotaExceeded');
    await sender.close();
  });

  it('receive-and-delete removes messages on delivery', async () => {
    const sender = h.client.createSender('orders');
    await sender.sendMessages([{ body: 'a' }, { body: 'b' }]);
    const receiver = h.client.createReceiver('orders', { receiveMode: 'receiveAndDelete' });
    const got = await receiveAtLeast(receiver, 2);
    expect(got.map((m) => m.body)).toEqual(['a', 'b']);
    expect(got[0]?.lockToken).toBeUndefined();
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
    await sender.close();
  });

  it('subscribe() streams messages and auto-completes them after the handler succeeds', async () => {
    const sender = h.client.createSender('orders');
    await sender.sendMessages([1, 2, 3].map((n) => ({ body: n })));
    const receiver = h.client.createReceiver('orders');
    const bodies: unknown[] = [];
    const errors: unknown[] = [];
    const sub = receiver.subscribe({
      processMessage: async (m) => { bodies.push(m.body); },
      processError: async (args) => { errors.push(args.error); },
    });
    await waitFor('three messages handled', () => (bodies.length >= 3 ? true : undefined));
    await sub.close();
    expect(bodies).toEqual([1, 2, 3]);
    expect(errors).toEqual([]);
    await waitFor('the queue to be empty', async () => ((await receiver.peekMessages(10)).length === 0 ? true : undefined));
    await receiver.close();
    await sender.close();
  });

  it('one peek-lock receiver link keeps receiving past 2048 deliveries (server-side delivery buffer is freed on settlement)', async () => {
    const sender = h.client.createSender('orders');
    const total = 2300;
    for (let i = 0; i < total; i += 460) await sender.sendMessages(Array.from({ length: 460 }, (_, j) => ({ body: i + j })));
    const receiver = h.client.createReceiver('orders');
    let received = 0;
    const deadline = Date.now() + 30_000;
    while (received < total && Date.now() < deadline) {
      const batch = await receiver.receiveMessages(200, { maxWaitTimeInMs: 500 });
      for (const m of batch) await receiver.completeMessage(m);
      received += batch.length;
    }
    expect(received).toBe(total);
    await receiver.close();
    await sender.close();
  });
});
