/**
 * `FunctionInvoker` over the app's own programming model, step for step as the Node worker's InvocationHandler:
 * getInvocationModel(coreCtx) -> getArguments -> preInvocation hooks -> invokeFunction -> postInvocation hooks
 * -> getResponse. Binding conversion is entirely the library's. Every invocation ends with one structured log
 * entry (function, invocationId, instanceId when durable, durationMs, outcome).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FunctionInvoker, InvocationInput, InvocationOutput, RegisteredFunction, RpcTypedData } from '../contracts';
import { LocalHostError } from '../errors';
import type { HostLogger } from '../log';
import type { AppFunction, AppRegistry } from './app-registry';
import { toHostLevel } from './core-api';
import type { CoreInvocationContext, CoreLogCategory, CoreLogLevel, HookName } from './core-types';

export type InvocationOutcome = 'Succeeded' | 'Failed' | 'Cancelled';

export interface FunctionStats {
  invocations: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

export interface InvocationCompleted {
  functionName: string;
  invocationId: string;
  outcome: InvocationOutcome;
  durationMs: number;
  output?: InvocationOutput;
  error?: unknown;
}

export type InvocationListener = (event: InvocationCompleted) => void;

export class AppInvoker implements FunctionInvoker {
  readonly #listeners = new Set<InvocationListener>();
  readonly #registry: AppRegistry;
  readonly #logger: HostLogger;
  readonly #stats = new Map<string, FunctionStats>();

  constructor(registry: AppRegistry, logger: HostLogger) {
    this.#registry = registry;
    this.#logger = logger;
  }

  listFunctions(): RegisteredFunction[] {
    return [...this.#registry.functions.values()].map((fn) => fn.registered);
  }

  getFunction(name: string): RegisteredFunction | undefined {
    return this.#registry.getFunction(name)?.registered;
  }

  /** Observes every finished invocation (tests wait on these instead of sleeping). Returns the unsubscriber. */
  onInvocationCompleted(listener: InvocationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Invocation counters per function, for the admin status endpoint. */
  stats(): Record<string, FunctionStats> {
    return Object.fromEntries(this.#stats);
  }

  async invoke(functionName: string, input: InvocationInput): Promise<InvocationOutput> {
    const fn = this.#registry.getFunction(functionName);
    if (fn === undefined) {
      throw new LocalHostError(
        'FunctionNotFound',
        `Function code for '${functionName}' is not loaded and cannot be invoked. To fix: check the name against ` +
          `the registered functions (${[...this.#registry.functions.keys()].join(', ') || 'none'}).`,
      );
    }
    const invocationId = randomUUID();
    const properties: Record<string, unknown> = {
      functionName,
      invocationId,
      triggerType: fn.registered.triggerType,
    };
    const instanceId = durableInstanceId(fn, input);
    if (instanceId !== undefined) properties.instanceId = instanceId;
    const stats = this.#statsFor(functionName);
    stats.invocations += 1;
    const started = performance.now();
    const finish = (outcome: InvocationOutcome, error?: unknown, output?: InvocationOutput) => {
      stats[outcome === 'Succeeded' ? 'succeeded' : outcome === 'Failed' ? 'failed' : 'cancelled'] += 1;
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      const extra = error === undefined ? {} : { error: (error as Error)?.message ?? String(error) };
      this.#logger.log(outcome === 'Succeeded' ? 'information' : 'error', `Executed '${functionName}' (${outcome})`, {
        ...properties,
        durationMs,
        outcome,
        ...extra,
      });
      const event: InvocationCompleted = { functionName, invocationId, outcome, durationMs };
      if (output !== undefined) event.output = output;
      if (error !== undefined) event.error = error;
      for (const listener of [...this.#listeners]) listener(event);
    };

    const running = this.#run(fn, invocationId, input, properties);
    try {
      const output = await raceAbort(running, input.abortSignal, functionName, invocationId);
      finish('Succeeded', undefined, output);
      return output;
    } catch (error) {
      finish(input.abortSignal?.aborted === true && isCancelled(error) ? 'Cancelled' : 'Failed', error);
      throw error;
    }
  }

  async #run(fn: AppFunction, invocationId: string, input: InvocationInput, logProperties: Record<string, unknown>): Promise<InvocationOutput> {
    const registry = this.#registry;
    const model = registry.programmingModel;
    if (model === undefined) {
      throw new LocalHostError('AppLoadFailed', 'The app set no programming model. To fix: use @azure/functions v4.');
    }
    const hookData: Record<string, unknown> = {};
    const logScope: { hookData: Record<string, unknown>; invocationContext: unknown } = { hookData, invocationContext: undefined };
    const coreCtx: CoreInvocationContext = {
      invocationId,
      request: {
        invocationId,
        functionId: fn.metadata.functionId ?? fn.metadata.name,
        inputData: input.inputData,
        triggerMetadata: input.triggerMetadata ?? {},
        ...(input.retryContext === undefined ? {} : { retryContext: input.retryContext }),
      },
      metadata: fn.metadata,
      log: (level, category, message) => this.#invocationLog(level, category, message, logProperties, logScope),
    };

    const invocationModel = await model.getInvocationModel(coreCtx);
    const { context, inputs } = await invocationModel.getArguments();
    logScope.invocationContext = context;

    const preContext = { hookData, appHookData: registry.appHookData, invocationContext: context, functionCallback: fn.callback, inputs };
    coreCtx.state = 'preInvocationHooks';
    try {
      await this.#runHooks('preInvocation', preContext);
    } finally {
      coreCtx.state = undefined;
    }

    const postContext: Record<string, unknown> = {
      hookData,
      appHookData: registry.appHookData,
      invocationContext: context,
      inputs: preContext.inputs,
      result: null,
      error: null,
    };
    coreCtx.state = 'invocation';
    try {
      postContext.result = await invocationModel.invokeFunction(context, preContext.inputs, preContext.functionCallback);
    } catch (error) {
      postContext.error = error;
    } finally {
      coreCtx.state = undefined;
    }

    coreCtx.state = 'postInvocationHooks';
    try {
      await this.#runHooks('postInvocation', postContext);
    } finally {
      coreCtx.state = undefined;
    }
    if (postContext.error !== null && postContext.error !== undefined) throw postContext.error;

    const response = await invocationModel.getResponse(context, postContext.result);
    const output: InvocationOutput = { outputData: [] };
    for (const entry of response.outputData ?? []) {
      if (typeof entry.name === 'string' && entry.data !== null && entry.data !== undefined) {
        output.outputData.push({ name: entry.name, data: entry.data });
      }
    }
    if (response.returnValue !== null && response.returnValue !== undefined) output.returnValue = response.returnValue;
    return output;
  }

  async runAppHooks(hookName: 'appStart' | 'appTerminate', extra: Record<string, unknown> = {}): Promise<void> {
    await this.#runHooks(hookName, {
      hookData: this.#registry.appLevelOnlyHookData,
      appHookData: this.#registry.appHookData,
      ...extra,
    });
  }

  async #runHooks(hookName: HookName, context: Record<string, unknown>): Promise<void> {
    for (const callback of [...this.#registry.hooks[hookName]]) await callback(context);
  }

  /** Log hooks run first and may change level and message, as in the worker. */
  #invocationLog(
    level: CoreLogLevel,
    category: CoreLogCategory,
    message: string,
    properties: Record<string, unknown>,
    invocation: { hookData: Record<string, unknown>; invocationContext: unknown },
  ): void {
    const hookContext = {
      level,
      message,
      category,
      hookData: invocation.hookData,
      appHookData: this.#registry.appHookData,
      invocationContext: invocation.invocationContext,
    };
    for (const callback of [...this.#registry.hooks.log]) {
      try {
        callback(hookContext);
      } catch (error) {
        this.#logger.log('warning', 'A log hook threw; the log entry is kept as it was before that hook', {
          ...properties,
          error: (error as Error)?.message ?? String(error),
        });
      }
    }
    this.#logger.log(toHostLevel(hookContext.level), hookContext.message, { ...properties, category });
  }

  #statsFor(functionName: string): FunctionStats {
    let stats = this.#stats.get(functionName);
    if (stats === undefined) {
      stats = { invocations: 0, succeeded: 0, failed: 0, cancelled: 0 };
      this.#stats.set(functionName, stats);
    }
    return stats;
  }
}

function isCancelled(error: unknown): boolean {
  return error instanceof LocalHostError && error.code === 'InvocationCancelled';
}

/** The function keeps running (as on Azure); only the caller stops waiting. */
function raceAbort<T>(running: Promise<T>, signal: AbortSignal | undefined, functionName: string, invocationId: string): Promise<T> {
  if (signal === undefined) return running;
  const cancelled = () =>
    new LocalHostError('InvocationCancelled', `Invocation ${invocationId} of '${functionName}' was cancelled by its caller.`);
  if (signal.aborted) {
    running.catch(() => undefined);
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    running.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Durable instance id for the log: given by the caller, from triggerMetadata `instanceId`, or from the orchestration/entity payload. */
function durableInstanceId(fn: AppFunction, input: InvocationInput): string | undefined {
  if (input.instanceId !== undefined) return input.instanceId;
  const fromMetadata = typedDataText(input.triggerMetadata?.instanceId);
  if (fromMetadata !== undefined) return stripJsonQuotes(fromMetadata);
  const triggerType = fn.registered.triggerType;
  if (triggerType !== 'orchestrationTrigger' && triggerType !== 'entityTrigger') return undefined;
  const text = typedDataText(input.inputData.find((entry) => entry.name === fn.registered.triggerBindingName)?.data);
  if (text === undefined) return undefined;
  try {
    const payload = JSON.parse(text) as { instanceId?: unknown; self?: { name?: unknown; key?: unknown } };
    if (typeof payload.instanceId === 'string') return payload.instanceId;
    if (typeof payload.self?.name === 'string' && typeof payload.self.key === 'string') return `@${payload.self.name}@${payload.self.key}`;
  } catch {
    return undefined;
  }
  return undefined;
}

function typedDataText(data: RpcTypedData | undefined): string | undefined {
  if (data === undefined) return undefined;
  if (typeof data.string === 'string') return data.string;
  if (typeof data.json === 'string') return data.json;
  return undefined;
}

function stripJsonQuotes(text: string): string {
  if (text.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'string') return parsed;
    } catch {
      return text;
    }
  }
  return text;
}
