/**
 * `npm start`: starts the local services with data in `.sluice/` (a second start reuses it), prints where they
 * listen, then runs the local Functions + Durable host with the app. Ctrl-C or SIGTERM stops everything.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { durableHostFactory } from './host/durable/factory';
import { startHost, type RunningHost } from './host/host';
import { createHostLogger, createStderrSink } from './host/log';
import { createSdkServiceBusSource } from './host/triggers/service-bus-sdk-source';
import { startServiceBusEmulator, type ServiceBusEmulator } from './servicebus';
import { startLocalServices, type LocalServicePorts, type LocalServices } from './services';

const projectRoot = resolve(__dirname, '..', '..');
const dataDir = join(projectRoot, '.sluice');
const queuesFile = join(projectRoot, 'local', 'servicebus-queues.json');

function portFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name}="${raw}" is not a port. To fix: set it to an integer 1-65535, or to 0 or unset for a free port.`);
  }
  return port;
}

function describe(services: LocalServices, serviceBus: ServiceBusEmulator, settings: Record<string, string>): string {
  return [
    'sluice: local services are up (127.0.0.1 only; data in .sluice/, logs in .sluice/logs/)',
    `  Blob (Azurite)      ${services.blob.blobEndpoint}`,
    `  PostgreSQL 18       ${services.postgres.displayConnectionString}`,
    `                      password: ${join(services.postgres.dataDir, 'password')}`,
    `  Cosmos DB stand-in  ${services.cosmos.endpoint} (in memory: emptied on every start; ` +
      'clients need enableEndpointDiscovery: false)',
    `  Service Bus         sb://${serviceBus.host}:${serviceBus.port} (emulator; queues from local/servicebus-queues.json)`,
    `  App settings passed to the app: ${Object.keys(settings).join(', ')}`,
  ].join('\n');
}

async function main(): Promise<void> {
  if (process.env.CI === 'true') {
    console.error('sluice: `npm start` is interactive and runs until Ctrl-C; CI runs `npm test` instead.');
    process.exitCode = 1;
    return;
  }
  const ports: LocalServicePorts = {
    blob: portFromEnv('SLUICE_LOCAL_BLOB_PORT'),
    postgres: portFromEnv('SLUICE_LOCAL_PG_PORT'),
    cosmos: portFromEnv('SLUICE_LOCAL_COSMOS_PORT'),
  };
  const hostPort = portFromEnv('SLUICE_LOCAL_HOST_PORT') ?? 7071;
  const serviceBusPort = portFromEnv('SLUICE_LOCAL_SERVICEBUS_PORT') ?? 0;
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  const logs: Record<string, WriteStream> = {
    azurite: createWriteStream(join(dataDir, 'logs', 'azurite.log'), { flags: 'a' }),
    postgres: createWriteStream(join(dataDir, 'logs', 'postgres.log'), { flags: 'a' }),
  };
  const startedAt = Date.now();
  const services = await startLocalServices({ dataDir, ports, onOutput: (name, text) => logs[name]?.write(text) });
  const stack: Array<() => Promise<void>> = [() => services.stop()];
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      console.error(`sluice: ${signal} again, exiting now (the service watchdogs still stop the services).`);
      process.exit(130);
    }
    stopping = true;
    console.log(`sluice: ${signal} received, stopping...`);
    stopAll(stack).then(() => {
      for (const log of Object.values(logs)) log.end();
      console.log('sluice: stopped.');
      process.exit(0);
    }, (err: unknown) => {
      console.error(`sluice: stopping failed: ${(err as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    const serviceBus = await startServiceBusEmulator({
      configFile: queuesFile,
      port: serviceBusPort,
      persistence: { sqlitePath: join(dataDir, 'servicebus.sqlite') },
    });
    stack.push(() => serviceBus.stop());
    const settings: Record<string, string> = {
      ...services.env(),
      SLUICE_SERVICEBUS: serviceBus.connectionString,
      SLUICE_INGRESS_QUEUE: 'ingress',
      SLUICE_NOTIFICATIONS_QUEUE: 'notifications',
      SLUICE_TASK_HUB: process.env.SLUICE_TASK_HUB ?? 'SluiceLocal',
    };
    // The app reads process.env, exactly as on Azure where app settings are environment variables.
    Object.assign(process.env, settings);
    console.log(`${describe(services, serviceBus, settings)}\n  started in ${Date.now() - startedAt} ms`);

    const sink = createStderrSink('information');
    const host: RunningHost = await startHost({
      appDir: projectRoot,
      port: hostPort,
      dataDir: join(dataDir, 'host'),
      logSink: sink,
      durable: durableHostFactory(),
      serviceBus: createSdkServiceBusSource({ env: process.env, logger: createHostLogger(sink) }),
    });
    stack.push(() => host.stop());
    console.log(hostBanner(host));
  } catch (err) {
    await stopAll(stack);
    throw err;
  }
}

/** Stops in reverse start order: the host before the emulators it talks to. */
async function stopAll(stack: Array<() => Promise<void>>): Promise<void> {
  while (stack.length > 0) await stack.pop()?.();
}

function hostBanner(host: RunningHost): string {
  const lines = [`sluice: the app runs on the local Functions + Durable host at ${host.url}`, '  Functions:'];
  for (const fn of host.functions) {
    const route = host.routes.find((r) => r.functionName === fn.name);
    lines.push(route === undefined ? `    ${fn.name}: ${fn.triggerType}` : `    ${fn.name}: ${host.url}/${route.template} (authLevel ${route.authLevel})`);
  }
  lines.push(`  Function and master keys: ${host.keys.source} (send one as x-functions-key)`, '  Ctrl-C stops everything.');
  return lines.join('\n');
}

main().catch((err: unknown) => {
  console.error(`sluice: ${(err as Error).message}`);
  process.exitCode = 1;
});
