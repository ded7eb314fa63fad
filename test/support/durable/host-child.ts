/**
 * A local Durable host in its own process over the sqlite store, for the kill -9 test. Prints
 * `READY <baseUrl>` once serving and the engine's JSON log lines on stdout.
 */
import { createDurableHost, SqliteStore } from '../../../local/host/durable';
import { withCoreModule } from '../../../local/host/worker/core-module';
import { createTestFunctionsHost } from './functions-core';
import { startHttpFront } from './http-front';

async function main(): Promise<void> {
  const [dbPath, appPath] = process.argv.slice(2);
  if (dbPath === undefined || appPath === undefined) throw new Error('usage: host-child <db path> <app entry>');
  const functions = createTestFunctionsHost();
  // Provide @azure/functions-core while the app loads, the way the Node worker does.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app entry is loaded by path, like the worker does
  withCoreModule(functions.core as object, () => require(appPath));
  const front = await startHttpFront(functions.invoker);
  process.env['WEBSITE_HOSTNAME'] = new URL(front.baseUrl).host;
  const host = createDurableHost({ invoker: functions.invoker, store: new SqliteStore(dbPath), baseUrl: front.baseUrl, hostJson: {} });
  front.setDurableHost(host);
  await host.start();
  process.stdout.write(`READY ${front.baseUrl}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
