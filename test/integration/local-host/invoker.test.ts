import path from 'node:path';
import { createHostLogger, type HostLogEntry } from '../../../local/host/log';
import { startFunctionsApp, type FunctionsApp } from '../../../local/host/worker/functions-app';
import { isLocalHostError } from '../../../local/host/errors';

const appDir = path.resolve(__dirname, '../../apps/basic');

describe('function invoker over the app\'s own programming model', () => {
  const logs: HostLogEntry[] = [];
  let functionsApp: FunctionsApp;

  beforeAll(async () => {
    functionsApp = await startFunctionsApp(appDir, createHostLogger((entry) => logs.push(entry)));
  });
  afterAll(async () => {
    await functionsApp.stop();
  });

  it('registers every app.* function with the library-generated bindings', () => {
    const functions = functionsApp.invoker.listFunctions();
    expect(functions.map((fn) => fn.name).sort()).toEqual(
      ['adminOnly', 'defaultRoute', 'durableStart', 'echo', 'failing', 'greeting', 'hello', 'hookEvents', 'item', 'recovered', 'replaced'].sort(),
    );
    const hello = functions.find((fn) => fn.name === 'hello');
    expect(hello?.triggerType).toBe('httpTrigger');
    expect(hello?.bindings[hello.triggerBindingName]).toMatchObject({ route: 'hello/{name?}', authLevel: 'anonymous', direction: 'in' });
    expect(hello?.bindings.$return).toEqual({ type: 'http', name: '$return', direction: 'out' });
    const echo = functions.find((fn) => fn.name === 'echo');
    expect(echo?.triggerBindingName).toBe('activityTrigger7996c743ef');
  });

  it('passes a JSON trigger value to the handler and returns its result as returnValue', async () => {
    const output = await functionsApp.invoker.invoke('echo', {
      inputData: [{ name: 'activityTrigger7996c743ef', data: { json: '{"city":"Tokyo"}' } }],
    });
    expect(output.outputData).toEqual([]);
    expect(JSON.parse(output.returnValue?.json ?? 'null')).toEqual({
      input: { city: 'Tokyo' },
      functionName: 'echo',
      startedIn: 'n/a',
    });
  });

  it('converts RpcHttpData in and the HTTP response out through the library', async () => {
    const output = await functionsApp.invoker.invoke('hello', {
      inputData: [
        {
          name: functionsApp.invoker.getFunction('hello')?.triggerBindingName ?? '',
          data: {
            http: {
              method: 'POST',
              url: 'http://127.0.0.1:7071/api/hello/ann?q=1',
              headers: { 'x-test': 'h', 'content-type': 'application/json' },
              query: { q: '1' },
              params: { name: 'ann' },
              body: { string: '{"a":1}' },
            },
          },
        },
      ],
    });
    const http = output.returnValue?.http as { statusCode: string; headers: Record<string, string>; cookies: unknown[]; body: { bytes: Uint8Array } };
    expect(http.statusCode).toBe('200');
    expect(http.headers['x-hello']).toBe('yes');
    expect(http.cookies).toEqual([expect.objectContaining({ name: 'visited', value: '1', path: { value: '/' } })]);
    expect(JSON.parse(Buffer.from(http.body.bytes).toString('utf8'))).toMatchObject({ name: 'ann', q: '1', header: 'h', body: { a: 1 } });
  });

  it('runs preInvocation hooks that replace the handler and postInvocation hooks that replace an error', async () => {
    const bindingOf = (name: string) => functionsApp.invoker.getFunction(name)?.triggerBindingName ?? '';
    const httpInput = (name: string) => ({
      inputData: [{ name: bindingOf(name), data: { http: { method: 'GET', url: `http://127.0.0.1/api/${name}` } } }],
    });
    const replaced = await functionsApp.invoker.invoke('replaced', httpInput('replaced'));
    expect(Buffer.from((replaced.returnValue?.http as { body: { bytes: Uint8Array } }).body.bytes).toString()).toBe('from preInvocation hook');
    const recovered = await functionsApp.invoker.invoke('recovered', httpInput('recovered'));
    expect((recovered.returnValue?.http as { statusCode: string }).statusCode).toBe('299');
  });

  it('rejects with the handler\'s error and logs one structured entry per invocation', async () => {
    const binding = functionsApp.invoker.getFunction('failing')?.triggerBindingName ?? '';
    await expect(
      functionsApp.invoker.invoke('failing', { inputData: [{ name: binding, data: { http: { method: 'GET', url: 'http://127.0.0.1/api/failing' } } }] }),
    ).rejects.toThrow('handler failed on purpose');
    const entry = logs.find((log) => log.properties.functionName === 'failing' && log.properties.outcome !== undefined);
    expect(entry).toMatchObject({ namespace: 'sluice:local:host', level: 'error', properties: { outcome: 'Failed', triggerType: 'httpTrigger' } });
    expect(typeof entry?.properties.durationMs).toBe('number');
    expect(typeof entry?.properties.invocationId).toBe('string');
    expect(functionsApp.invoker.stats().failing).toEqual({ invocations: 1, succeeded: 0, failed: 1, cancelled: 0 });
  });

  it('routes context.log through the log hooks into the host logger', () => {
    const userLog = logs.find((log) => log.properties.category === 'user' && log.properties.functionName === 'hello');
    expect(userLog?.message).toBe('hello called with [redacted]');
  });

  it('rejects invocations of unknown functions', async () => {
    await expect(functionsApp.invoker.invoke('nope', { inputData: [] })).rejects.toMatchObject({ code: 'FunctionNotFound' });
    const failure = await functionsApp.invoker.invoke('nope', { inputData: [] }).catch((error: unknown) => error);
    expect(isLocalHostError(failure)).toBe(true);
  });

  it('stops waiting when the caller aborts, reporting the invocation as cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const binding = functionsApp.invoker.getFunction('echo')?.triggerBindingName ?? '';
    await expect(
      functionsApp.invoker.invoke('echo', { inputData: [{ name: binding, data: { json: '1' } }], abortSignal: controller.signal }),
    ).rejects.toMatchObject({ code: 'InvocationCancelled' });
  });
});

describe('app loading', () => {
  it('expands a glob "main" like the worker and loads every matching file', async () => {
    const globApp = await startFunctionsApp(path.resolve(__dirname, '../../apps/glob'), createHostLogger(() => undefined));
    try {
      expect(globApp.app.files.map((file) => path.basename(file))).toEqual(['one.js', 'two.js']);
      expect(globApp.invoker.listFunctions().map((fn) => fn.name).sort()).toEqual(['one', 'two']);
    } finally {
      await globApp.stop();
    }
  });

  it('fails with a fix when the app directory has no package.json', async () => {
    await expect(startFunctionsApp(__dirname, createHostLogger(() => undefined))).rejects.toMatchObject({
      code: 'AppLoadFailed',
      message: expect.stringContaining('To fix'),
    });
  });
});
