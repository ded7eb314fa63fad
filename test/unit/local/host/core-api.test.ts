import { AppRegistry } from '../../../../local/host/worker/app-registry';
import { createCoreApi, Disposable } from '../../../../local/host/worker/core-api';
import { createHostLogger } from '../../../../local/host/log';

const httpMetadata = (name: string) => ({
  name,
  bindings: {
    httpTrigger1: { name: 'httpTrigger1', type: 'httpTrigger', direction: 'in' as const, authLevel: 'anonymous' },
    $return: { name: 'httpOutput1', type: 'http', direction: 'out' as const },
  },
});

describe('@azure/functions-core API given to the app', () => {
  const setup = () => {
    const registry = new AppRegistry();
    return { registry, core: createCoreApi(registry, createHostLogger(() => undefined)) };
  };

  it('registers a function with rawBindings naming ($return wins over the generated name)', () => {
    const { registry, core } = setup();
    core.registerFunction(httpMetadata('a'), () => undefined);
    expect(registry.getFunction('a')?.registered).toMatchObject({
      name: 'a',
      triggerBindingName: 'httpTrigger1',
      triggerType: 'httpTrigger',
      bindings: { $return: { name: '$return', type: 'http', direction: 'out' } },
    });
  });

  it('rejects duplicate function ids', () => {
    const { core } = setup();
    core.registerFunction(httpMetadata('a'), () => undefined);
    expect(() => core.registerFunction(httpMetadata('a'), () => undefined)).toThrow('already been registered');
  });

  it('rejects registrations after startup, like the worker', () => {
    const { registry, core } = setup();
    registry.locked = true;
    expect(() => core.registerFunction(httpMetadata('late'), () => undefined)).toThrow(
      'A function can only be registered during app startup.',
    );
  });

  it('rejects metadata without a trigger or with an invalid direction', () => {
    const { core } = setup();
    expect(() => core.registerFunction({ name: 'x', bindings: { b: { name: 'b', type: 'blob', direction: 'in' } } }, () => undefined)).toThrow(
      'no trigger binding',
    );
    expect(() =>
      core.registerFunction({ name: 'y', bindings: { b: { name: 'b', type: 'httpTrigger', direction: 'sideways' as 'in' } } }, () => undefined),
    ).toThrow('invalid metadata');
  });

  it('registers and disposes hooks by name and refuses unknown hook names with a RangeError', () => {
    const { registry, core } = setup();
    const disposable = core.registerHook('preInvocation', () => undefined);
    expect(registry.hooks.preInvocation).toHaveLength(1);
    disposable.dispose();
    expect(registry.hooks.preInvocation).toHaveLength(0);
    expect(() => core.registerHook('onTuesday', () => undefined)).toThrow(RangeError);
  });

  it('Disposable.from disposes each member exactly once', () => {
    let count = 0;
    const group = Disposable.from(new Disposable(() => (count += 1)), new Disposable(() => (count += 1)));
    group.dispose();
    group.dispose();
    expect(count).toBe(2);
  });

  it('keeps the last programming model and reports a missing one with a fix', () => {
    const { core } = setup();
    expect(() => core.getProgrammingModel()).toThrow('To fix');
    const model = { name: '@azure/functions', version: '4.16.5', getInvocationModel: () => { throw new Error('unused'); } };
    core.setProgrammingModel(model);
    expect(core.getProgrammingModel()).toBe(model);
  });
});
