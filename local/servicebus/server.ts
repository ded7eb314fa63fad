/**
 * Assembles the emulator: config -> store -> engine (Broker) -> protocol (LinkRouter on a rhea container)
 * -> a TCP listener on loopback. The SDK connects with `UseDevelopmentEmulator=true` (plain TCP, SASL
 * anonymous).
 */
import type { Server, Socket } from 'node:net';
import { create_container } from 'rhea';
import { loadConfigFile, parseQueues, type QueueConfigInput } from './config';
import { Broker } from './engine/broker';
import { systemClock, type Clock } from './engine/clock';
import { MemoryStore } from './persistence/memory-store';
import { SqliteStore } from './persistence/sqlite-store';
import type { MessageStore } from './persistence/store';
import { LinkRouter } from './protocol/links';

export interface StartServiceBusEmulatorOptions {
  /** JSON file `{ "queues": [...] }`; or give `queues` directly. */
  configFile?: string;
  queues?: QueueConfigInput[];
  /** 0 = a free port chosen by the OS. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 'memory' */
  persistence?: 'memory' | { sqlitePath: string };
  /** Time for locks, TTL, schedules and long-polls. @default the system clock */
  clock?: Clock;
  /** Largest message (or batch) a sender may send; advertised on sender links. @default 262144 (Standard tier) */
  maxMessageSizeInBytes?: number;
  /** Structured log sink (`sluice:local:servicebus`). @default silent */
  logger?: (event: string, props: Record<string, unknown>) => void;
}

export interface ServiceBusEmulator {
  /** For `new ServiceBusClient(connectionString)`. */
  connectionString: string;
  port: number;
  host: string;
  stop(): Promise<void>;
}

export async function startServiceBusEmulator(options: StartServiceBusEmulatorOptions): Promise<ServiceBusEmulator> {
  if (options.configFile === undefined && options.queues === undefined) {
    throw new Error('startServiceBusEmulator: no queues. To fix: pass configFile or queues.');
  }
  const queues = options.configFile !== undefined ? loadConfigFile(options.configFile) : parseQueues(options.queues ?? []);
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? (() => {});
  const persistence = options.persistence ?? 'memory';
  const store: MessageStore = persistence === 'memory' ? new MemoryStore() : new SqliteStore(persistence.sqlitePath);
  const broker = new Broker(queues, options.clock ?? systemClock, store);
  const router = new LinkRouter({ broker, maxMessageSizeInBytes: options.maxMessageSizeInBytes ?? 262_144, log });
  const container = create_container({
    id: 'sluice-servicebus-emulator',
    autoaccept: false,
    autosettle: false,
    treat_modified_as_released: false,
  });
  router.attach(container);

  const server = container.listen({ port: options.port ?? 0, host }) as unknown as Server;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const endpointHost = host.includes(':') ? `[${host}]` : host;
  log('started', { host, port, queues: queues.map((q) => q.name) });

  let stopped = false;
  return {
    connectionString: `Endpoint=sb://${endpointHost}:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=emulator;UseDevelopmentEmulator=true`,
    port,
    host,
    async stop() {
      if (stopped) return;
      stopped = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      router.stop();
      broker.stop();
      log('stopped', { port });
    },
  };
}
