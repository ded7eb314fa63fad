import { ServiceBusClient, isServiceBusError, type ServiceBusMessage } from '@azure/service-bus';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../../local/servicebus';

const SESSIONS = 50;
const PER_SESSION = 200;
const RECEIVERS = 8;

describe('Service Bus emulator: ordering under concurrency', () => {
  let emulator: ServiceBusEmulator;
  let client: ServiceBusClient;
  beforeAll(async () => {
    emulator = await startServiceBusEmulator({ queues: [{ name: 'ordered', requiresSession: true }] });
    client = new ServiceBusClient(emulator.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 1000 } });
  });
  afterAll(async () => {
    await client.close();
    await emulator.stop();
  });

  it(`${SESSIONS} sessions x ${PER_SESSION} messages, ${RECEIVERS} session receivers: every session in order, never two receivers on one session`, async () => {
    const sender = client.createSender('ordered');
    let batch: ServiceBusMessage[] = [];
    for (let i = 0; i < PER_SESSION; i++) {
      for (let s = 0; s < SESSIONS; s++) {
        batch.push({ body: i, sessionId: `s${s}` });
        if (batch.length === 500) {
          await sender.sendMessages(batch);
          batch = [];
        }
      }
    }
    if (batch.length > 0) await sender.sendMessages(batch);

    const seen = new Map<string, number[]>();
    const active = new Set<string>();
    const overlaps: string[] = [];
    let received = 0;
    const worker = async (): Promise<void> => {
      while (received < SESSIONS * PER_SESSION) {
        const session = await client.acceptNextSession('ordered').catch((e: unknown) => {
          if (isServiceBusError(e) && e.code === 'ServiceTimeout') return undefined;
          throw e;
        });
        if (!session) continue;
        if (active.has(session.sessionId)) overlaps.push(session.sessionId);
        active.add(session.sessionId);
        for (;;) {
          const messages = await session.receiveMessages(50, { maxWaitTimeInMs: 100 });
          if (messages.length === 0) break;
          for (const m of messages) {
            const list = seen.get(session.sessionId) ?? [];
            list.push(m.body as number);
            seen.set(session.sessionId, list);
            await session.completeMessage(m);
            received++;
          }
        }
        active.delete(session.sessionId);
        await session.close();
      }
    };
    await Promise.all(Array.from({ length: RECEIVERS }, worker));

    expect(overlaps).toEqual([]);
    expect(seen.size).toBe(SESSIONS);
    const expected = Array.from({ length: PER_SESSION }, (_, i) => i);
    for (const [, bodies] of seen) expect(bodies).toEqual(expected);
    await sender.close();
  });
});
