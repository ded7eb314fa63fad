/**
 * `node dist/local/servicebus/cli.js --config queues.json [--port 5672] [--sqlite ./sb.db]`: runs the
 * emulator until SIGINT/SIGTERM and prints the connection string.
 */
import { parseArgs } from 'node:util';
import { startServiceBusEmulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      port: { type: 'string', default: '5672' },
      host: { type: 'string', default: '127.0.0.1' },
      sqlite: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (!values.config) throw new Error('Missing --config <file.json>. To fix: pass a JSON file { "queues": [...] } (see local/servicebus/README.md).');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port number. To fix: pass 0..65535.`);
  const emulator = await startServiceBusEmulator({
    configFile: values.config,
    port,
    host: values.host,
    persistence: values.sqlite ? { sqlitePath: values.sqlite } : 'memory',
    logger: values.verbose ? (event, props) => console.error(JSON.stringify({ logger: 'sluice:local:servicebus', event, ...props })) : undefined,
  });
  console.log(emulator.connectionString);
  const stop = (): void => {
    emulator.stop().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
