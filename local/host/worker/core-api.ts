/**
 * The in-memory `@azure/functions-core` module a host gives to the app's `@azure/functions`: the same members
 * and the same rules as the Node worker's (`src/coreApi/*`, `src/setupCoreModule.ts`): one programming model,
 * registrations only during startup, no duplicate function ids, hooks by name, disposables.
 */
import { z } from 'zod';
import { LocalHostError } from '../errors';
import type { HostLogger } from '../log';
import { AppRegistry, toRegisteredFunction } from './app-registry';
import {
  hookNames,
  type CoreFunctionMetadata,
  type CoreLogCategory,
  type CoreLogLevel,
  type FunctionCallback,
  type HookCallback,
  type HookName,
  type ProgrammingModel,
} from './core-types';

/** Worker's Disposable: `dispose()` runs the callback once; `from()` groups several. */
export class Disposable {
  static from(...disposables: Array<{ dispose(): unknown }>): Disposable {
    let pending: Array<{ dispose(): unknown }> | undefined = disposables;
    return new Disposable(() => {
      for (const disposable of pending ?? []) disposable.dispose();
      pending = undefined;
    });
  }

  #onDispose: (() => unknown) | undefined;

  constructor(onDispose: () => unknown) {
    this.#onDispose = onDispose;
  }

  dispose(): unknown {
    const onDispose = this.#onDispose;
    this.#onDispose = undefined;
    return onDispose?.();
  }
}

const bindingSchema = z.looseObject({
  name: z.string().min(1),
  type: z.string().min(1),
  direction: z.enum(['in', 'out', 'inout']),
});

const metadataSchema = z.looseObject({
  name: z.string().min(1),
  functionId: z.string().min(1).optional(),
  bindings: z.record(z.string().min(1), bindingSchema),
  retryOptions: z.unknown().optional(),
});

const programmingModelSchema = z.looseObject({
  name: z.string(),
  version: z.string(),
  getInvocationModel: z.custom<ProgrammingModel['getInvocationModel']>((value) => typeof value === 'function'),
});

export interface CoreApi {
  readonly version: string;
  readonly hostVersion: string;
  readonly Disposable: typeof Disposable;
  setProgrammingModel(model: ProgrammingModel): void;
  getProgrammingModel(): ProgrammingModel;
  registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable;
  registerHook(hookName: string, callback: HookCallback): Disposable;
  log(level: CoreLogLevel, category: CoreLogCategory, message: string): void;
}

/** Version strings the host reports; the library only reads them for diagnostics. */
export const localHostVersion = '4.1040.0-sluice-local';
export const localWorkerVersion = '3.12.0-sluice-local';

export function createCoreApi(registry: AppRegistry, logger: HostLogger): CoreApi {
  return {
    version: localWorkerVersion,
    hostVersion: localHostVersion,
    Disposable,
    setProgrammingModel(model) {
      const parsed = programmingModelSchema.safeParse(model);
      if (!parsed.success) {
        throw new LocalHostError(
          'RegistrationRejected',
          `setProgrammingModel received an invalid model: ${z.prettifyError(parsed.error)}. ` +
            'To fix: use @azure/functions v4, which provides the model itself.',
        );
      }
      if (registry.programmingModel !== undefined) {
        logger.log('warning', 'Programming model replaced', {
          previous: `${registry.programmingModel.name}@${registry.programmingModel.version}`,
          next: `${model.name}@${model.version}`,
        });
      }
      registry.programmingModel = model;
      logger.log('debug', 'Programming model set', { model: `${model.name}@${model.version}` });
    },
    getProgrammingModel() {
      if (registry.programmingModel === undefined) {
        throw new LocalHostError(
          'AppLoadFailed',
          'No programming model was set. To fix: load an app that uses @azure/functions v4 (it calls setProgrammingModel).',
        );
      }
      return registry.programmingModel;
    },
    registerFunction(metadata, callback) {
      if (registry.locked) {
        throw new LocalHostError('RegistrationRejected', 'A function can only be registered during app startup.');
      }
      const parsed = metadataSchema.safeParse(metadata);
      if (!parsed.success || typeof callback !== 'function') {
        const why = parsed.success ? 'the callback is not a function' : z.prettifyError(parsed.error);
        throw new LocalHostError(
          'RegistrationRejected',
          `registerFunction received invalid metadata for "${String((metadata as { name?: unknown })?.name)}": ${why}. ` +
            'To fix: register functions through @azure/functions v4 (app.http, app.timer, ...).',
        );
      }
      const valid = parsed.data as CoreFunctionMetadata;
      const functionId = valid.functionId ?? valid.name;
      if (registry.functions.has(functionId)) {
        throw new LocalHostError(
          'RegistrationRejected',
          `A function with the id "${functionId}" has already been registered. To fix: give every function a unique name.`,
        );
      }
      registry.functions.set(functionId, { metadata: valid, callback, registered: toRegisteredFunction(valid) });
      return new Disposable(() => {
        if (registry.locked) {
          throw new LocalHostError('RegistrationRejected', 'A function can only be disposed during app startup.');
        }
        registry.functions.delete(functionId);
      });
    },
    registerHook(hookName, callback) {
      if (!hookNames.includes(hookName as HookName)) {
        throw new RangeError(`Unrecognized hook "${hookName}". Known hooks: ${hookNames.join(', ')}.`);
      }
      const list = registry.hooks[hookName as HookName];
      list.push(callback);
      return new Disposable(() => {
        const index = list.indexOf(callback);
        if (index >= 0) list.splice(index, 1);
      });
    },
    log(level, category, message) {
      logger.log(toHostLevel(level), message, { category });
    },
  };
}

export function toHostLevel(level: CoreLogLevel): 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' {
  return level === 'none' ? 'trace' : level;
}
