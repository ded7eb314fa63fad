/**
 * Makes `require('@azure/functions-core')` answer with a host's core API, as the Node worker does
 * (`src/setupCoreModule.ts`): `Module.prototype.require` is wrapped in a Proxy that intercepts exactly that id.
 * The proxy is installed once per process; a host activates its own core API only while its app is loading,
 * which is when `@azure/functions` asks for it (it caches the answer). Outside that window the id resolves as
 * usual (not found), so a stray copy of the library falls back to its test mode instead of joining a host.
 */
import type ModuleNamespace from 'node:module';

/** Node's real module system, even under a test runner that replaces `require('node:module')`. */
export const nodeModule: typeof ModuleNamespace = process.getBuiltinModule('node:module');

export const coreModuleId = '@azure/functions-core';

let activeCoreApi: object | undefined;
let installed = false;

function installProxy(): void {
  if (installed) return;
  installed = true;
  const original = nodeModule.Module.prototype.require;
  nodeModule.Module.prototype.require = new Proxy(original, {
    apply(target, thisArg, args: unknown[]) {
      if (args[0] === coreModuleId && activeCoreApi !== undefined) return activeCoreApi;
      return Reflect.apply(target, thisArg, args);
    },
  });
}

/** Runs `load` with `coreApi` served as `@azure/functions-core`; loads cannot nest (one app at a time). */
export function withCoreModule<T>(coreApi: object, load: () => T): T {
  installProxy();
  if (activeCoreApi !== undefined) {
    throw new Error('Another app is being loaded in this process. To fix: start local hosts one after another.');
  }
  activeCoreApi = coreApi;
  try {
    return load();
  } finally {
    activeCoreApi = undefined;
  }
}
