/**
 * The Functions half of the local host as the Durable tests use it: the real `@azure/functions-core`
 * stand-in and `AppInvoker` from local/host/worker, without its app loader, because jest (or the
 * kill -9 child) loads the TypeScript sample apps itself. Invocations go through the library's own
 * InvocationModel, so binding conversion is the real library's.
 */
import { AppRegistry } from '../../../local/host/worker/app-registry';
import { createCoreApi } from '../../../local/host/worker/core-api';
import { AppInvoker } from '../../../local/host/worker/invoker';
import { createHostLogger, type HostLogEntry } from '../../../local/host/log';

export interface TestFunctionsHost {
  /** The object the app receives for `require('@azure/functions-core')`. */
  core: unknown;
  invoker: AppInvoker;
  /** Log entries of the Functions half (one per invocation, user logs). */
  logs: HostLogEntry[];
}

/** `keepLogs: false` drops log entries (benchmarks). */
export function createTestFunctionsHost(options: { keepLogs?: boolean } = {}): TestFunctionsHost {
  const logs: HostLogEntry[] = [];
  const logger = createHostLogger(options.keepLogs === false ? () => undefined : (entry) => logs.push(entry));
  const registry = new AppRegistry();
  return { core: createCoreApi(registry, logger.child('worker')), invoker: new AppInvoker(registry, logger), logs };
}
