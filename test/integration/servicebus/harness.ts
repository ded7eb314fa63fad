/** Starts an emulator on a free loopback port with a real ServiceBusClient, and stops both afterwards. */
import { ServiceBusClient, type ServiceBusReceivedMessage, type ServiceBusReceiver } from '@azure/service-bus';
import { startServiceBusEmulator, type ServiceBusEmulator, type StartServiceBusEmulatorOptions } from '../../../local/servicebus';

export interface Harness {
  emulator: ServiceBusEmulator;
  client: ServiceBusClient;
  stop(): Promise<void>;
}

export async function startHarness(options: StartServiceBusEmulatorOptions): Promise<Harness> {
  const emulator = await startServiceBusEmulator(options);
  // Short SDK timeouts keep failures fast; retries off so errors surface as the service sent them.
  const client = new ServiceBusClient(emulator.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 5000 } });
  return {
    emulator,
    client,
    async stop() {
      await client.close();
      await emulator.stop();
    },
  };
}

/** Receives until `count` messages arrived or the deadline passed (no fixed sleeps). */
export async function receiveAtLeast(receiver: ServiceBusReceiver, count: number, deadlineInMs = 5000): Promise<ServiceBusReceivedMessage[]> {
  const out: ServiceBusReceivedMessage[] = [];
  const deadline = Date.now() + deadlineInMs;
  while (out.length < count && Date.now() < deadline) {
    out.push(...await receiver.receiveMessages(count - out.length, { maxWaitTimeInMs: Math.max(50, Math.min(1000, deadline - Date.now())) }));
  }
  return out;
}

/** Polls a condition until true or the deadline (bounded wait on a condition, not a sleep). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, deadlineInMs = 5000): Promise<T> {
  const deadline = Date.now() + deadlineInMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
