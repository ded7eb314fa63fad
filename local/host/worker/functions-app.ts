/**
 * Starts an app the way the worker does: provide the core API, load the entry point files, run the appStart
 * hooks, then lock registration. `stop()` runs the appTerminate hooks and forgets the app's modules.
 */
import type { HostLogger } from '../log';
import { loadApp, type LoadedApp } from './app-loader';
import { AppRegistry } from './app-registry';
import { createCoreApi } from './core-api';
import type { ProgrammingModel } from './core-types';
import { AppInvoker } from './invoker';

export interface FunctionsApp {
  readonly app: LoadedApp;
  readonly invoker: AppInvoker;
  registryModel(): ProgrammingModel | undefined;
  stop(): Promise<void>;
}

export async function startFunctionsApp(appDir: string, logger: HostLogger): Promise<FunctionsApp> {
  const registry = new AppRegistry();
  const invoker = new AppInvoker(registry, logger);
  const app = loadApp(appDir, createCoreApi(registry, logger.child('worker')));
  try {
    await invoker.runAppHooks('appStart', { functionAppDirectory: app.appDir });
  } catch (error) {
    app.unload();
    throw error;
  }
  registry.locked = true;
  logger.log('information', 'App loaded', {
    appDir: app.appDir,
    entryPoint: app.entryPoint,
    functions: invoker.listFunctions().map((fn) => fn.name),
  });
  let stopped = false;
  return {
    app,
    invoker,
    registryModel: () => registry.programmingModel,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await invoker.runAppHooks('appTerminate');
      } finally {
        app.unload();
      }
    },
  };
}
