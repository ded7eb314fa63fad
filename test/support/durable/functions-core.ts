/**
 * Test-only stand-in for the Functions half (until local/host/functions lands): provides
 * `@azure/functions-core` to the app and invokes functions through the library's own InvocationModel
 * (getArguments -> invokeFunction -> getResponse), so binding conversion is the real library's.
 */
import { randomUUID } from 'node:crypto';
import type { FunctionBinding, FunctionInvoker, InvocationInput, InvocationOutput, RegisteredFunction, RpcTypedData } from '../../../local/host/contracts';

interface CoreMetadata {
  name: string;
  bindings: Record<string, FunctionBinding>;
  retryOptions?: unknown;
}

interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: unknown): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<{ returnValue?: RpcTypedData; outputData?: Array<{ name: string; data: RpcTypedData }> }>;
}

interface ProgrammingModel {
  getInvocationModel(coreCtx: unknown): InvocationModel;
}

class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...items: Array<{ dispose(): void }>): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export interface TestFunctionsHost {
  /** The object the app receives for `require('@azure/functions-core')`. */
  core: Record<string, unknown>;
  invoker: FunctionInvoker;
  /** Log lines the app wrote through `context.log`. */
  logs: string[];
}

export function createTestFunctionsHost(): TestFunctionsHost {
  const functions = new Map<string, { metadata: CoreMetadata; callback: unknown }>();
  let model: ProgrammingModel | undefined;
  const logs: string[] = [];
  const core = {
    Disposable,
    version: '4.0.0-local',
    hostVersion: '4.0.0-local',
    setProgrammingModel(m: ProgrammingModel): void {
      model = m;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return model;
    },
    registerFunction(metadata: CoreMetadata, callback: unknown): Disposable {
      if (functions.has(metadata.name)) throw new Error(`A function with name "${metadata.name}" has already been registered.`);
      functions.set(metadata.name, { metadata, callback });
      return new Disposable(() => functions.delete(metadata.name));
    },
    registerHook(): Disposable {
      return new Disposable(() => undefined);
    },
    log(_level: string, _category: string, message: string): void {
      logs.push(message);
    },
  };
  const invoker: FunctionInvoker = {
    listFunctions(): RegisteredFunction[] {
      return [...functions.values()].map(({ metadata }) => {
        const entry = Object.entries(metadata.bindings).find(([, b]) => b.direction === 'in' && /trigger$/i.test(b.type));
        if (entry === undefined) throw new Error(`Function '${metadata.name}' has no trigger binding.`);
        return { name: metadata.name, bindings: metadata.bindings, triggerBindingName: entry[0], triggerType: entry[1].type, retryOptions: metadata.retryOptions };
      });
    },
    async invoke(functionName: string, input: InvocationInput): Promise<InvocationOutput> {
      const fn = functions.get(functionName);
      if (fn === undefined || model === undefined) throw new Error(`Function '${functionName}' is not registered.`);
      const invocationId = randomUUID();
      const coreCtx = {
        invocationId,
        request: { invocationId, inputData: input.inputData, triggerMetadata: input.triggerMetadata ?? {}, retryContext: input.retryContext },
        metadata: { name: fn.metadata.name, bindings: fn.metadata.bindings },
        state: 'invocation',
        log: (_level: string, _category: string, message: string) => logs.push(message),
      };
      const invocation = model.getInvocationModel(coreCtx);
      const { context, inputs } = await invocation.getArguments();
      const result = await invocation.invokeFunction(context, inputs, fn.callback);
      const response = await invocation.getResponse(context, result);
      return { ...(response.returnValue !== undefined ? { returnValue: response.returnValue } : {}), outputData: response.outputData ?? [] };
    },
  };
  return { core, invoker, logs };
}
