/**
 * Loads the app the way the Functions worker does (through `@azure/functions-core`) and hands tests the real
 * registered handlers: the Durable library's own orchestrator and entity wrappers around our code.
 * Call `loadApp()` from a test file before anything registers; it installs the core module as a virtual module.
 */
import { InvocationContext } from '@azure/functions';

interface Registration {
  metadata: { name: string; bindings: Record<string, { type: string; name: string; direction: string }> };
  callback: (trigger: unknown, context: InvocationContext) => unknown;
}

export interface LoadedApp {
  names(): string[];
  triggerType(name: string): string;
  /** Invokes a function; `durableClient` is the client binding payload (durable-host.md section 4.1) when it has one. */
  invoke(name: string, trigger: unknown, inputs?: { durableClient?: unknown }): Promise<unknown>;
}

let registry: Map<string, Registration> | undefined;

export function loadApp(): LoadedApp {
  if (registry === undefined) {
    const registrations = new Map<string, Registration>();
    class Disposable {
      constructor(private readonly onDispose: () => void = () => undefined) {}
      static from(...items: Array<{ dispose(): void }>): Disposable {
        return new Disposable(() => items.forEach((i) => i.dispose()));
      }
      dispose(): void {
        this.onDispose();
      }
    }
    jest.doMock(
      '@azure/functions-core',
      () => ({
        setProgrammingModel: () => undefined,
        getProgrammingModel: () => undefined,
        registerHook: () => new Disposable(),
        registerFunction: (metadata: Registration['metadata'], callback: Registration['callback']) => {
          if (registrations.has(metadata.name)) throw new Error(`duplicate registration ${metadata.name}`);
          registrations.set(metadata.name, { metadata, callback });
          return new Disposable(() => registrations.delete(metadata.name));
        },
        Disposable,
      }),
      { virtual: true },
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../../functions/index');
    registry = registrations;
  }
  const registered = registry;
  const get = (name: string): Registration => {
    const found = registered.get(name);
    if (found === undefined) throw new Error(`function ${name} is not registered (have: ${[...registered.keys()].join(', ')})`);
    return found;
  };
  return {
    names: () => [...registered.keys()],
    triggerType: (name) => Object.values(get(name).metadata.bindings).find((b) => b.direction === 'in' && b.type.endsWith('Trigger'))?.type ?? '',
    invoke: async (name, trigger, inputs = {}) => {
      const bindings = Object.values(get(name).metadata.bindings);
      const extraInputs = bindings.filter((b) => b.direction === 'in' && !b.type.endsWith('Trigger'));
      const context = new InvocationContext({
        functionName: name,
        invocationId: `test-${name}`,
        logHandler: () => undefined,
        options: { trigger: { type: get(name).metadata.name, name: 'trigger' }, extraInputs, extraOutputs: [] },
      });
      for (const binding of extraInputs) {
        if (binding.type === 'durableClient' && inputs.durableClient !== undefined) context.extraInputs.set(binding, inputs.durableClient);
      }
      const result = await get(name).callback(trigger, context);
      return result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown);
    },
  };
}
