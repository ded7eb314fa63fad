/**
 * `node dist/local/host/cli.js --app . --port 7071`: runs an app on the local Functions host until Ctrl-C.
 * Prints the function URLs and the local keys (they only open this local host). The Durable half runs on a
 * sqlite task hub in the data directory unless `--durable memory|off`. `--servicebus` serves the app's Service Bus
 * triggers with the real SDK against the connection strings in its app settings (as `npm start` does).
 */
import { parseArgs } from 'node:util';
import { durableHostFactory } from './durable/factory';
import { startHost } from './host';
import { createHostLogger, createStderrSink, type HostLogLevel } from './log';
import { createSdkServiceBusSource } from './triggers/service-bus-sdk-source';

const usage =
  'Usage: node dist/local/host/cli.js [--app <dir>] [--port <n>] [--data-dir <dir>] [--durable sqlite|memory|off] [--log-level <level>] [--servicebus]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      app: { type: 'string', default: '.' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string', default: 'information' },
      durable: { type: 'string', default: 'sqlite' },
      servicebus: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  const levels: HostLogLevel[] = ['trace', 'debug', 'information', 'warning', 'error', 'critical'];
  const level = values['log-level'] as HostLogLevel;
  const durable = values.durable;
  if ((port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) || !levels.includes(level) || !['sqlite', 'memory', 'off'].includes(durable)) {
    console.error(`Invalid --port, --durable or --log-level. ${usage}`);
    process.exitCode = 2;
    return;
  }
  const sink = createStderrSink(level);
  const host = await startHost({
    appDir: values.app,
    ...(port === undefined ? {} : { port }),
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    logSink: sink,
    ...(durable === 'off' ? {} : { durable: durableHostFactory({ store: durable as 'sqlite' | 'memory' }) }),
    ...(values.servicebus ? { serviceBus: createSdkServiceBusSource({ env: process.env, logger: createHostLogger(sink) }) } : {}),
  });
  const lines = [`Sluice local host listening on ${host.url} (durable task hub: ${durable})`, '', 'Functions:'];
  for (const fn of host.functions) {
    const route = host.routes.find((r) => r.functionName === fn.name);
    lines.push(
      route === undefined
        ? `  ${fn.name}: ${fn.triggerType}`
        : `  ${fn.name}: [${route.methods?.join(',') ?? 'ALL'}] ${host.url}/${route.template} (authLevel ${route.authLevel})`,
    );
  }
  lines.push('', `Keys (${host.keys.source}):`, `  master:  ${host.keys.masterKey}`);
  for (const [name, key] of Object.entries(host.keys.functionKeys)) lines.push(`  ${name}: ${key}`);
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping`);
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
