/**
 * SDK-type Service Bus bindings on the local host: the real `@azure/functions-extensions-servicebus` library
 * decodes the host's ModelBindingData into SDK messages and settles them through the host's Settlement gRPC
 * service, against the emulator driven with the real SDK.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isServiceBusError, ServiceBusClient, type ServiceBusSessionReceiver } from '@azure/service-bus';
import { startHost, type RunningHost } from '../../../local/host/host';
import { createHostLogger } from '../../../local/host/log';
import { createSdkServiceBusSource } from '../../../local/host/triggers/service-bus-sdk-source';
import type { InvocationCompleted } from '../../../local/host/worker/invoker';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../../local/servicebus';

const appDir = path.resolve(__dirname, '../../apps/servicebus-sdk');
const deadlineInMs = 30_000;

interface Seen { action: string; messageId: string; sessionId: string; lockToken: string; sequenceNumber: string }

/** Resolves with the invocations of `onSettle` until `done` says enough; rejects at the deadline. */
function invocations(host: RunningHost, done: (events: InvocationCompleted[]) => boolean): Promise<InvocationCompleted[]> {
  const events: InvocationCompleted[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`onSettle: ${events.length} invocations, condition not met within ${deadlineInMs} ms`));
    }, deadlineInMs);
    const unsubscribe = host.onInvocationCompleted((event) => {
      if (event.functionName !== 'onSettle') return;
      events.push(event);
      if (done(events)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(events);
      }
    });
  });
}

/**
 * Accepts the session once the host let it go. The test app's sessionIdleTimeout is 20 s, so getting it within
 * 5 s shows the function's releaseSession closed it.
 */
async function acceptWhenReleased(client: ServiceBusClient, sessionId: string): Promise<ServiceBusSessionReceiver> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await client.acceptSession('settle', sessionId);
    } catch (error) {
      if (!isServiceBusError(error) || error.code !== 'SessionCannotBeLocked' || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const seenOf = (event: InvocationCompleted): Seen[] => JSON.parse(event.output?.returnValue?.json ?? '[]') as Seen[];

describe('SDK-type Service Bus binding on the local host', () => {
  let emulator: ServiceBusEmulator;
  let host: RunningHost;
  let client: ServiceBusClient;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-sb-sdk-'));
    emulator = await startServiceBusEmulator({ queues: [{ name: 'settle', requiresSession: true, maxDeliveryCount: 5 }] });
    const env = { ...process.env, SLUICE_SERVICEBUS: emulator.connectionString };
    host = await startHost({
      appDir, port: 0, dataDir, env, logSink: () => undefined,
      serviceBus: createSdkServiceBusSource({ env, logger: createHostLogger(() => undefined) }),
    });
    client = new ServiceBusClient(emulator.connectionString);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await host?.stop();
    await emulator?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('decodes each message with its lock token and settles it as the function says: dead-letter with reason, complete, auto-complete, session state, release', async () => {
    const actions = ['auto', 'deadletter', 'complete', 'state', 'release'];
    const done = invocations(host, (events) => events.flatMap(seenOf).length >= actions.length);
    const sender = client.createSender('settle');
    await sender.sendMessages(actions.map((action, i) => ({ sessionId: 'A', messageId: `A-${i}`, body: { action } })));
    await sender.close();
    const seen = (await done).flatMap(seenOf);
    expect(seen.map((s) => [s.action, s.messageId, s.sessionId])).toEqual(actions.map((action, i) => [action, `A-${i}`, 'A']));
    expect(seen.every((s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s.lockToken))).toBe(true);
    expect(new Set(seen.map((s) => s.lockToken)).size).toBe(actions.length);
    const sequenceNumbers = seen.map((s) => Number(s.sequenceNumber));
    expect(sequenceNumbers.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    expect(sequenceNumbers).toEqual([...sequenceNumbers].sort((a, b) => a - b));

    const dlq = client.createReceiver('settle', { subQueueType: 'deadLetter' });
    const dead = await dlq.receiveMessages(10, { maxWaitTimeInMs: 2_000 });
    expect(dead.map((m) => [m.messageId, m.deadLetterReason, m.deadLetterErrorDescription])).toEqual([['A-1', 'NotWanted', 'message A-1 is not wanted']]);
    await dlq.completeMessage(dead[0]!);
    await dlq.close();

    const session = await acceptWhenReleased(client, 'A');
    expect(Buffer.from(await session.getSessionState() as Buffer).toString('utf8')).toBe('checkpoint');
    expect(await session.peekMessages(10)).toEqual([]);
    await session.close();
  }, 60_000);

  it('abandons the messages a failed invocation did not settle, so they come again', async () => {
    const done = invocations(host, (events) => events.some((e) => e.outcome === 'Succeeded'));
    const sender = client.createSender('settle');
    await sender.sendMessages(['throw', 'release'].map((action, i) => ({ sessionId: 'B', messageId: `B-${i}`, body: { action } })));
    await sender.close();
    const events = await done;
    expect(events.map((e) => e.outcome)).toEqual(['Failed', 'Succeeded']);
    expect(seenOf(events[1]!).map((s) => s.messageId)).toEqual(['B-0', 'B-1']);
    const session = await acceptWhenReleased(client, 'B');
    expect(await session.peekMessages(10)).toEqual([]);
    await session.close();
  }, 60_000);
});
