/**
 * Loads an app as the Node worker does (`src/startApp.ts`): read `main` from the app's package.json, expand it
 * as a glob relative to the app directory, require each file with the core module provided. The files are
 * required through Node's own loader (`createRequire`), never imported by local/ code, so the app's
 * `@azure/functions` finds `@azure/functions-core`. Modules first loaded for this app are forgotten on unload,
 * so a later host in the same process (tests) gets fresh copies of the app and of the library.
 */
import { existsSync, globSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LocalHostError } from '../errors';
import { nodeModule, withCoreModule } from './core-module';

const packageJsonSchema = z.looseObject({ main: z.string().min(1) });

/**
 * Libraries that cache per-process state (the core API, the Service Bus extension's factory registry and its
 * Settlement client, which reads the worker's --host/--port once): reloaded per app so each host gets its own.
 */
const perAppPackages = ['functions', 'functions-extensions-base', 'functions-extensions-servicebus']
  .map((name) => `${path.sep}node_modules${path.sep}@azure${path.sep}${name}${path.sep}`)
  .concat(`${path.sep}node_modules${path.sep}durable-functions${path.sep}`);

export interface LoadedApp {
  appDir: string;
  entryPoint: string;
  files: string[];
  unload(): void;
}

export function resolveEntryFiles(appDir: string): { entryPoint: string; files: string[] } {
  const packageJsonPath = path.join(appDir, 'package.json');
  if (!existsSync(packageJsonPath)) {
    throw new LocalHostError('AppLoadFailed', `No package.json in app directory "${appDir}". To fix: pass --app <folder with package.json>.`);
  }
  const parsed = packageJsonSchema.safeParse(JSON.parse(readFileSync(packageJsonPath, 'utf8')));
  if (!parsed.success) {
    throw new LocalHostError(
      'AppLoadFailed',
      `${packageJsonPath} has no "main" entry point. To fix: set "main" to the compiled entry file or a glob such as "dist/src/functions/*.js".`,
    );
  }
  const entryPoint = parsed.data.main;
  const files = globSync(entryPoint, { cwd: appDir }).sort().map((file) => path.resolve(appDir, file));
  if (files.length === 0) {
    throw new LocalHostError(
      'AppLoadFailed',
      `Found zero files matching the entry point "${entryPoint}" in "${appDir}". To fix: build the app first (npm run build).`,
    );
  }
  return { entryPoint, files };
}

export function loadApp(appDir: string, coreApi: object): LoadedApp {
  const absoluteDir = path.resolve(appDir);
  const { entryPoint, files } = resolveEntryFiles(absoluteDir);
  const appPrefix = absoluteDir + path.sep;
  const ownedBy = (key: string) => key.startsWith(appPrefix) || perAppPackages.some((part) => key.includes(part));
  // Node's real loader and its cache (not a test runner's module registry).
  const appRequire = nodeModule.createRequire(path.join(absoluteDir, 'package.json'));
  const cache = appRequire.cache;
  for (const key of Object.keys(cache)) if (ownedBy(key)) delete cache[key];
  const before = new Set(Object.keys(cache));
  const forgetNew = () => {
    for (const key of Object.keys(cache)) if (!before.has(key)) delete cache[key];
  };
  withCoreModule(coreApi, () => {
    for (const file of files) {
      try {
        appRequire(file);
      } catch (error) {
        forgetNew();
        throw new LocalHostError(
          'AppLoadFailed',
          `Worker was unable to load entry point "${path.relative(absoluteDir, file)}": ${(error as Error).message}. ` +
            'To fix: run the file with node to see the error, then rebuild.',
          { cause: error },
        );
      }
    }
  });
  const loaded = Object.keys(cache).filter((key) => !before.has(key));
  return {
    appDir: absoluteDir,
    entryPoint,
    files,
    unload() {
      for (const key of loaded) delete cache[key];
    },
  };
}
