import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiveAtLeast, startHarness } from './harness';

describe('Service Bus emulator: persistence', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sluice-sb-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('with sqlite, messages, delivery counts, dead-letters, session state and sequence numbers survive a restart', async () => {
    const persistence = { sqlitePath: join(dir, 'sb.db') };
    const queues = [{ name: 'durable' }, { name: 'sessions', requiresSession: true }];
    const first = await startHarness({ queues, persistence });
    const sender = first.client.createSender('durable');
    await sender.sendMessages([{ body: 'kept-1', messageId: 'k1' }, { body: 'kept-2' }, { body: 'dead' }]);
    const receiver = first.client.createReceiver('durable');
    const got = await receiveAtLeast(receiver, 3);
    await receiver.abandonMessage(got[0]!);
    await receiver.completeMessage(got[1]!);
    await receiver.deadLetterMessage(got[2]!, { deadLetterReason: 'Broken', deadLetterErrorDescription: 'cannot parse' });
    await first.client.createSender('sessions').sendMessages({ body: 'in session', sessionId: 'S' });
    const s = await first.client.acceptSession('sessions', 'S');
    await s.setSessionState('cursor-7');
    const lastSeq = got[2]!.sequenceNumber!.toNumber();
    await first.stop();

    const second = await startHarness({ queues, persistence });
    try {
      const r = second.client.createReceiver('durable');
      const [m] = await receiveAtLeast(r, 1);
      expect(m?.messageId).toBe('k1');
      expect(m?.deliveryCount).toBe(1);
      await r.completeMessage(m!);
      const [dead] = await receiveAtLeast(second.client.createReceiver('durable', { subQueueType: 'deadLetter' }), 1);
      expect(dead?.deadLetterReason).toBe('Broken');
      const session = await second.client.acceptSession('sessions', 'S');
      expect(await session.getSessionState()).toBe('cursor-7');
      expect((await receiveAtLeast(session, 1))[0]?.body).toBe('in session');
      await second.client.createSender('durable').sendMessages({ body: 'after restart' });
      const [fresh] = await receiveAtLeast(r, 1);
      expect(fresh?.sequenceNumber?.toNumber()).toBeGreaterThan(lastSeq);
    } finally {
      await second.stop();
    }
  });

  it('in memory mode, a restart starts empty', async () => {
    const queues = [{ name: 'volatile' }];
    const first = await startHarness({ queues, persistence: 'memory' });
    await first.client.createSender('volatile').sendMessages({ body: 'lost' });
    await first.stop();
    const second = await startHarness({ queues, persistence: 'memory' });
    try {
      expect(await second.client.createReceiver('volatile').peekMessages(5)).toHaveLength(0);
    } finally {
      await second.stop();
    }
  });
});
