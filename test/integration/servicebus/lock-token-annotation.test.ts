import { receiveAtLeast, startHarness, type Harness } from './harness';

describe('Service Bus emulator: lock token delivery annotation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ queues: [{ name: 'work' }] });
  });
  afterAll(async () => h.stop());

  it('sends a peek-locked message with delivery annotation x-opt-lock-token equal to its lock token (RFC order), and none in receiveAndDelete', async () => {
    const sender = h.client.createSender('work');
    await sender.sendMessages([{ body: 'a' }, { body: 'b' }]);
    // skipConvertingDate keeps binary annotation values as Buffers (the SDK otherwise copies them into plain objects).
    const locked = h.client.createReceiver('work', { skipConvertingDate: true });
    const [m] = await receiveAtLeast(locked, 1);
    const annotation = m!._rawAmqpMessage.deliveryAnnotations?.['x-opt-lock-token'];
    expect(Buffer.from(annotation as Buffer).toString('hex')).toBe(m!.lockToken!.replaceAll('-', ''));
    await locked.completeMessage(m!);
    const deleting = h.client.createReceiver('work', { receiveMode: 'receiveAndDelete' });
    const [d] = await receiveAtLeast(deleting, 1);
    expect(d!._rawAmqpMessage.deliveryAnnotations?.['x-opt-lock-token']).toBeUndefined();
    await Promise.all([locked.close(), deleting.close(), sender.close()]);
  });
});
