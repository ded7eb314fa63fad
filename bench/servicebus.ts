/**
 * Service Bus emulator throughput: messages/s sent and received (peek-lock + complete) through the real SDK,
 * with sessions, against the non-session path as the baseline measured in the same run. Bounded: a fixed
 * message count per scenario. Run: `npm run bench:servicebus` (writes bench/results/servicebus.json).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceBusClient, isServiceBusError, type ServiceBusMessage, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { startServiceBusEmulator, type StartServiceBusEmulatorOptions } from '../local/servicebus';

const MESSAGES = 5000;
const WARMUP_MESSAGES = 1000;
const SESSIONS = 50;
const RECEIVERS = 8;
const BATCH = 250;

/** What a plain receiver and a session receiver have in common for this loop. */
interface Drainable {
  receiveMessages(max: number, options: { maxWaitTimeInMs: number }): Promise<ServiceBusReceivedMessage[]>;
  completeMessage(message: ServiceBusReceivedMessage): Promise<void>;
}

interface Result {
  scenario: string;
  messages: number;
  sendMs: number;
  receiveMs: number;
  sendPerSecond: number;
  receivePerSecond: number;
}

async function scenario(name: string, sessions: boolean, persistence: StartServiceBusEmulatorOptions['persistence'], count = MESSAGES): Promise<Result> {
  const emulator = await startServiceBusEmulator({ queues: [{ name: 'q', requiresSession: sessions }], persistence });
  const client = new ServiceBusClient(emulator.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 1000 } });
  try {
    const sender = client.createSender('q');
    const sendStart = performance.now();
    for (let i = 0; i < count; i += BATCH) {
      const batch: ServiceBusMessage[] = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) batch.push({ body: { n: j }, sessionId: sessions ? `s${j % SESSIONS}` : undefined });
      await sender.sendMessages(batch);
    }
    const sendMs = performance.now() - sendStart;

    let received = 0;
    const receiveStart = performance.now();
    const drainReceiver = async (receiver: Drainable): Promise<void> => {
      for (;;) {
        const messages = await receiver.receiveMessages(100, { maxWaitTimeInMs: 100 });
        if (messages.length === 0) return;
        for (const m of messages) await receiver.completeMessage(m);
        received += messages.length;
      }
    };
    const worker = async (): Promise<void> => {
      if (!sessions) {
        const receiver = client.createReceiver('q');
        await drainReceiver(receiver);
        await receiver.close();
        return;
      }
      while (received < count) {
        const session = await client.acceptNextSession('q').catch((e: unknown) => {
          if (isServiceBusError(e) && e.code === 'ServiceTimeout') return undefined;
          throw e;
        });
        if (!session) continue;
        await drainReceiver(session);
        await session.close();
      }
    };
    await Promise.all(Array.from({ length: RECEIVERS }, worker));
    const receiveMs = performance.now() - receiveStart;
    if (received !== count) throw new Error(`${name}: received ${received} of ${count}`);
    return {
      scenario: name,
      messages: count,
      sendMs: Math.round(sendMs),
      receiveMs: Math.round(receiveMs),
      sendPerSecond: Math.round(count / (sendMs / 1000)),
      receivePerSecond: Math.round(count / (receiveMs / 1000)),
    };
  } finally {
    await client.close();
    await emulator.stop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sb-bench-'));
  try {
    // Unrecorded warm-up so the baseline does not pay for JIT compilation of the SDK and rhea.
    await scenario('warm-up', true, 'memory', WARMUP_MESSAGES);
    const results = [
      await scenario('baseline: plain queue, memory', false, 'memory'),
      await scenario('sessions, memory', true, 'memory'),
      await scenario('sessions, sqlite', true, { sqlitePath: join(dir, 'bench.db') }),
    ];
    const report = {
      when: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      setup: `${MESSAGES} messages, sends in arrays of ${BATCH}, ${RECEIVERS} concurrent receivers (peek-lock, receiveMessages(100), complete each); sessions: ${SESSIONS} sessions via acceptNextSession; emulator and SDK in one process`,
      results,
    };
    const out = join(__dirname, '..', '..', 'bench', 'results', 'servicebus.json');
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    console.table(results);
    console.log(`wrote ${out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
