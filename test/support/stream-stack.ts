/**
 * The services the stream path needs, for integration tests and benches: Azurite, PostgreSQL and the Cosmos
 * stand-in (`startLocalServices`, ephemeral), the Service Bus emulator with a session-enabled `ingress` queue, and
 * the compiled app (`buildApp`) with host.json tuned for tests. The host itself runs either in this process
 * (`startInProcessHost`) or as a child process (test/integration/stream/stream-kill9.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { Client } from 'pg';
import { createCosmosClient, ensureLedgerContainer, Ledger } from '../../connectors/cosmos';
import { durableHostFactory } from '../../local/host/durable/factory';
import type { LocalDurableHost } from '../../local/host/durable';
import { startHost, type RunningHost } from '../../local/host/host';
import { createHostLogger, type HostLogEntry } from '../../local/host/log';
import { createSdkServiceBusSource } from '../../local/host/triggers/service-bus-sdk-source';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../local/servicebus';
import { startLocalServices, type LocalServices } from '../../local/services';
import { buildApp } from '../integration/config/app-under-test';

export interface StreamStackOptions {
  /** The Sluice configuration (SLUICE_CONFIG). */
  config: unknown;
  taskHub: string;
  /** host.json `extensions.serviceBus` overrides (sessionIdleTimeout, maxMessageBatchSize, ...). */
  serviceBus?: Record<string, unknown>;
  /** Peek-lock and session lock duration of the ingress queue. @default 30000 */
  lockDurationInMs?: number;
  /** More app settings (timer schedules, Application Insights, ...), added to the stack's. */
  env?: Record<string, string>;
}

export interface StreamStack {
  services: LocalServices;
  emulator: ServiceBusEmulator;
  /** The compiled app folder (package.json "main" + the tuned host.json). */
  appDir: string;
  /** App settings the host passes to the app. */
  env: Record<string, string>;
  pg: Client;
  ledger: Ledger;
  /** Sends in order, in arrays of 100, with the real SDK. */
  send(messages: ServiceBusMessage[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startStreamStack(options: StreamStackOptions): Promise<StreamStack> {
  const appDir = buildApp();
  const hostJsonPath = path.join(appDir, 'host.json');
  const hostJson = JSON.parse(readFileSync(hostJsonPath, 'utf8')) as { extensions: { serviceBus: Record<string, unknown> } };
  Object.assign(hostJson.extensions.serviceBus, options.serviceBus ?? {});
  writeFileSync(hostJsonPath, JSON.stringify(hostJson));
  const [services, emulator] = await Promise.all([
    startLocalServices(),
    startServiceBusEmulator({ queues: [{ name: 'ingress', requiresSession: true, maxDeliveryCount: 10, lockDurationInMs: options.lockDurationInMs ?? 30_000 }] }),
  ]);
  const env: Record<string, string> = {
    ...services.env(),
    SLUICE_SERVICEBUS: emulator.connectionString,
    SLUICE_INGRESS_QUEUE: 'ingress',
    SLUICE_TASK_HUB: options.taskHub,
    SLUICE_COSMOS_DATABASE: 'sluice',
    SLUICE_CONFIG: JSON.stringify(options.config),
    ...options.env,
  };
  const pg = new Client({ connectionString: services.postgres.connectionString });
  await pg.connect();
  const cosmos = createCosmosClient({ endpoint: services.cosmos.endpoint, key: services.cosmos.key, endpointDiscovery: false });
  // Created as the app creates it on first use, so a test can read the ledger before any window was extracted.
  const { database } = await cosmos.databases.createIfNotExists({ id: 'sluice' });
  const ledger = new Ledger(await ensureLedgerContainer(database));
  const client = new ServiceBusClient(emulator.connectionString);
  const sender = client.createSender('ingress');
  return {
    services,
    emulator,
    appDir,
    env,
    pg,
    ledger,
    async send(messages) {
      for (let i = 0; i < messages.length; i += 100) await sender.sendMessages(messages.slice(i, i + 100));
    },
    async stop() {
      await sender.close();
      await client.close();
      await pg.end();
      await emulator.stop();
      await services.stop();
      rmSync(appDir, { recursive: true, force: true });
    },
  };
}

export interface InProcessHost {
  host: RunningHost;
  logs: HostLogEntry[];
  /** fetch against the app's API with the default function key. */
  call(method: string, route: string, body?: unknown): Promise<Response>;
  /** Resolves when no orchestration episode, activity or entity batch runs. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the stack's app on the local host in this process (durable memory store, Service Bus triggers over the
 * SDK). The app is loaded outside jest's sandbox and reads the real process.env, as on Azure: the stack's settings
 * are set there until `stop`.
 */
export async function startInProcessHost(stack: StreamStack): Promise<InProcessHost> {
  const realEnv = process.getBuiltinModule('node:process').env;
  const saved = Object.fromEntries(Object.keys(stack.env).map((name) => [name, realEnv[name]]));
  Object.assign(realEnv, stack.env);
  const restore = () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete realEnv[name];
      else realEnv[name] = value;
    }
  };
  const logs: HostLogEntry[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-stream-host-'));
  let durable: LocalDurableHost | undefined;
  let host: RunningHost;
  try {
    host = await startHost({
      appDir: stack.appDir, port: 0, dataDir, env: realEnv, logSink: (entry) => logs.push(entry),
      durable: (context) => {
        durable = durableHostFactory({ store: 'memory' })(context) as LocalDurableHost;
        return durable;
      },
      serviceBus: createSdkServiceBusSource({ env: realEnv, logger: createHostLogger(() => undefined) }),
    });
  } catch (error) {
    restore();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const key = host.keys.functionKeys['default'] ?? '';
  return {
    host,
    logs,
    call: (method, route, body) => fetch(`${host.url}/api/${route}`, {
      method,
      headers: { 'x-functions-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    idle: () => durable?.whenIdle() ?? Promise.resolve(),
    async stop() {
      await host.stop();
      restore();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { until } from './stream-scenario';

/** One inline-record event per message, sessionId = stream. */
export function eventMessage(stream: string, n: number, record: Record<string, unknown>): ServiceBusMessage {
  return {
    sessionId: stream,
    messageId: `${stream}-${n}`,
    contentType: 'application/json',
    body: { stream, occurredAtMs: 1_790_000_000_000 + n, records: [record] },
  };
}
