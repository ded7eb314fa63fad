import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { startHost, type RunningHost } from '../../../local/host/host';
import { createHostLogger } from '../../../local/host/log';
import { createSdkServiceBusSource } from '../../../local/host/triggers/service-bus-sdk-source';
import type { InvocationCompleted } from '../../../local/host/worker/invoker';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../../local/servicebus';

const appDir = path.resolve(__dirname, '../../apps/servicebus-sessions');
const deadlineInMs = 60_000;

interface OrderedResult { sessionId: string; seq: number; overlap: boolean; deliveryCount: number }

/** Resolves once `count` matching invocations completed; rejects at the deadline (a bound, not a sleep). */
function collect(host: RunningHost, functionName: string, count: number): { done: Promise<InvocationCompleted[]> } {
  const seen: InvocationCompleted[] = [];
  let stop: () => void = () => undefined;
  const done = new Promise<InvocationCompleted[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen.filter((e) => e.outcome === 'Succeeded').length}/${count} ${functionName} invocations succeeded`)), deadlineInMs);
    const unsubscribe = host.onInvocationCompleted((event) => {
      if (event.functionName !== functionName) return;
      seen.push(event);
      if (seen.filter((e) => e.outcome === 'Succeeded').length >= count) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
    stop = () => {
      unsubscribe();
    };
  });
  return { done: done.finally(() => stop()) };
}

function resultOf<T>(event: InvocationCompleted): T {
  return JSON.parse(event.output?.returnValue?.json ?? 'null') as T;
}

describe('Service Bus trigger on the emulator, with the Azure host session semantics', () => {
  let emulator: ServiceBusEmulator;
  let host: RunningHost;
  let client: ServiceBusClient;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-sb-trigger-'));
    emulator = await startServiceBusEmulator({
      queues: [
        { name: 'ordered', requiresSession: true, maxDeliveryCount: 5, lockDurationInMs: 5000 },
        { name: 'batched', requiresSession: true },
      ],
    });
    const env = { ...process.env, SLUICE_SERVICEBUS: emulator.connectionString };
    host = await startHost({
      appDir, port: 0, dataDir, env, logSink: () => undefined,
      serviceBus: createSdkServiceBusSource({ env, logger: createHostLogger(() => undefined) }),
    });
    client = new ServiceBusClient(emulator.connectionString);
  });

  afterAll(async () => {
    await client?.close();
    await host?.stop();
    await emulator?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every session in order, one message at a time per session, across concurrent sessions', async () => {
    const sessions = 12;
    const perSession = 8;
    const messages: ServiceBusMessage[] = [];
    for (let seq = 0; seq < perSession; seq++) {
      for (let s = 0; s < sessions; s++) messages.push({ sessionId: `S${s}`, body: { seq } });
    }
    const collected = collect(host, 'onOrdered', sessions * perSession);
    const sender = client.createSender('ordered');
    await sender.sendMessages(messages);
    await sender.close();

    const results = (await collected.done).filter((e) => e.outcome === 'Succeeded').map((e) => resultOf<OrderedResult>(e));
    expect(results.some((r) => r.overlap)).toBe(false);
    for (let s = 0; s < sessions; s++) {
      expect(results.filter((r) => r.sessionId === `S${s}`).map((r) => r.seq)).toEqual([...Array(perSession).keys()]);
    }
  });

  it('abandons a failed message and redelivers it before the rest of its session', async () => {
    const collected = collect(host, 'onOrdered', 3);
    const sender = client.createSender('ordered');
    await sender.sendMessages([
      { sessionId: 'retry', body: { seq: 0, failUntilDelivery: 2 } },
      { sessionId: 'retry', body: { seq: 1 } },
      { sessionId: 'retry', body: { seq: 2 } },
    ]);
    await sender.close();

    const events = await collected.done;
    expect(events.map((e) => e.outcome)).toEqual(['Failed', 'Failed', 'Succeeded', 'Succeeded', 'Succeeded']);
    expect(events.filter((e) => e.outcome === 'Succeeded').map((e) => resultOf<OrderedResult>(e).seq)).toEqual([0, 1, 2]);
  });

  it('delivers batches from one session only, in order', async () => {
    const total = 30;
    const sender = client.createSender('batched');
    await sender.sendMessages(Array.from({ length: total }, (_, i) => ({ sessionId: i % 2 === 0 ? 'even' : 'odd', body: { seq: i } })));
    await sender.close();

    const seqs: Record<string, number[]> = { even: [], odd: [] };
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('batches did not cover every message')), deadlineInMs);
      const stop = host.onInvocationCompleted((event) => {
        if (event.functionName !== 'onBatch' || event.outcome !== 'Succeeded') return;
        const batch = resultOf<{ sessionId: string; sessionIds: string[]; seqs: number[] }>(event);
        expect(new Set(batch.sessionIds)).toEqual(new Set([batch.sessionId]));
        seqs[batch.sessionId]?.push(...batch.seqs);
        if ((seqs.even?.length ?? 0) + (seqs.odd?.length ?? 0) >= total) {
          clearTimeout(timer);
          stop();
          resolve();
        }
      });
    });
    expect(seqs.even).toEqual(Array.from({ length: total / 2 }, (_, i) => i * 2));
    expect(seqs.odd).toEqual(Array.from({ length: total / 2 }, (_, i) => i * 2 + 1));
  });
});
