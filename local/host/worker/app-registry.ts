/**
 * The app's registrations as the Node worker keeps them: the programming model, the functions (metadata and
 * callback), the hooks and the hook data shared across them. Filled through the core API during startup.
 */
import type { FunctionBinding, RegisteredFunction } from '../contracts';
import type { CoreFunctionMetadata, FunctionCallback, HookCallback, HookName, ProgrammingModel } from './core-types';

export interface AppFunction {
  metadata: CoreFunctionMetadata;
  callback: FunctionCallback;
  /** Contract view: bindings keyed by name with `name` set to the key (what the Azure host consumes). */
  registered: RegisteredFunction;
}

export class AppRegistry {
  programmingModel: ProgrammingModel | undefined;
  readonly functions = new Map<string, AppFunction>();
  readonly hooks: Record<HookName, HookCallback[]> = {
    appStart: [],
    appTerminate: [],
    preInvocation: [],
    postInvocation: [],
    log: [],
  };
  /** Shared by every hook of the app (`appHookData`). */
  readonly appHookData: Record<string, unknown> = {};
  /** `hookData` of the app-level hooks (appStart, appTerminate). */
  readonly appLevelOnlyHookData: Record<string, unknown> = {};
  /** Set once startup is over: later registrations are rejected, as by the worker. */
  locked = false;

  getFunction(name: string): AppFunction | undefined {
    return this.functions.get(name);
  }
}

/** `rawBindings` semantics: every binding's `name` is its key, so the `$return` key wins over a generated name. */
export function toRegisteredFunction(metadata: CoreFunctionMetadata): RegisteredFunction {
  const bindings: Record<string, FunctionBinding> = {};
  let triggerBindingName: string | undefined;
  for (const [key, binding] of Object.entries(metadata.bindings)) {
    bindings[key] = { ...binding, name: key };
    if (triggerBindingName === undefined && /trigger$/i.test(binding.type)) triggerBindingName = key;
  }
  if (triggerBindingName === undefined) {
    throw new Error(
      `Function "${metadata.name}" has no trigger binding (bindings: ${Object.keys(bindings).join(', ')}). ` +
        'To fix: register it with app.http/app.timer/... or a trigger of type "...Trigger".',
    );
  }
  const trigger = bindings[triggerBindingName] as FunctionBinding;
  const registered: RegisteredFunction = { name: metadata.name, bindings, triggerBindingName, triggerType: trigger.type };
  if (metadata.retryOptions !== undefined) registered.retryOptions = metadata.retryOptions;
  return registered;
}
