/**
 * `npm start`: starts the local services with data in `.sluice/` (a second start reuses it), prints where they
 * listen, then runs the local Functions + Durable host with the app. Ctrl-C or SIGTERM stops everything.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startLocalServices, type LocalServicePorts, type LocalServices } from './services';

const projectRoot = resolve(__dirname, '..', '..');
const dataDir = join(projectRoot, '.sluice');

function portFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name}="${raw}" is not a port. To fix: set it to an integer 1-65535, or to 0 or unset for a free port.`);
  }
  return port;
}

function describe(services: LocalServices): string {
  return [
    'sluice: local services are up (127.0.0.1 only; data in .sluice/, logs in .sluice/logs/)',
    `  Blob (Azurite)      ${services.blob.blobEndpoint}`,
    `  PostgreSQL 18       ${services.postgres.displayConnectionString}`,
    `                      password: ${join(services.postgres.dataDir, 'password')}`,
    `  Cosmos DB stand-in  ${services.cosmos.endpoint} (in memory: emptied on every start; ` +
      'clients need enableEndpointDiscovery: false)',
    `  App settings passed to the host: ${Object.keys(services.env()).join(', ')}`,
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
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  const logs: Record<string, WriteStream> = {
    azurite: createWriteStream(join(dataDir, 'logs', 'azurite.log'), { flags: 'a' }),
    postgres: createWriteStream(join(dataDir, 'logs', 'postgres.log'), { flags: 'a' }),
  };
  const startedAt = Date.now();
  const services = await startLocalServices({ dataDir, ports, onOutput: (name, text) => logs[name]?.write(text) });
  console.log(`${describe(services)}\n  started in ${Date.now() - startedAt} ms`);

  // Stay up until a signal; the services' own handles are deliberately not keeping us alive.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      console.error(`sluice: ${signal} again, exiting now (the service watchdogs still stop the services).`);
      process.exit(130);
    }
    stopping = true;
    console.log(`sluice: ${signal} received, stopping...`);
    services.stop().then(() => {
      clearInterval(keepAlive);
      for (const log of Object.values(logs)) log.end();
      console.log('sluice: stopped.');
    }, (err: unknown) => {
      console.error(`sluice: stopping failed: ${(err as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  // HOST GOES HERE: when local/host exists (issue 3), start it with the app (package.json "main") and
  // `services.env()` as its app settings, and stop it before `services.stop()` in `shutdown`.
  console.log('sluice: the local Functions + Durable host (local/host) is not available yet, so the app is not ' +
    'running; the services stay up for manual use until Ctrl-C.');
}

main().catch((err: unknown) => {
  console.error(`sluice: ${(err as Error).message}`);
  process.exitCode = 1;
});
