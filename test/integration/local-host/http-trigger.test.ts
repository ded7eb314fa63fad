import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DurableHost, FunctionBinding } from '../../../local/host/contracts';
import { startHost, type RunningHost } from '../../../local/host/host';
import type { HostLogEntry } from '../../../local/host/log';
import { InvocationRecorder, returnJson } from './helpers/invocations';

const basicApp = path.resolve(__dirname, '../../apps/basic');

describe('local host HTTP triggers, served on 127.0.0.1 through real HTTP', () => {
  const logs: HostLogEntry[] = [];
  let dataDir: string;
  let host: RunningHost;
  const functionKey = () => host.keys.functionKeys.default ?? '';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-host-http-'));
    host = await startHost({ appDir: basicApp, port: 0, dataDir, env: {}, logSink: (entry) => logs.push(entry) });
  });
  afterAll(async () => {
    await host?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on loopback and serves routes under the api/ prefix with route params, query and headers', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${host.url}/api/hello/ann?q=1`, { headers: { 'x-test': 'h' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-hello')).toBe('yes');
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('set-cookie')).toBe('visited=1; path=/');
    expect(await response.json()).toEqual({
      name: 'ann',
      q: '1',
      header: 'h',
      method: 'GET',
      url: `${host.url}/api/hello/ann?q=1`,
      body: null,
    });
  });

  it('passes a JSON request body and leaves an optional route parameter out', async () => {
    const response = await fetch(`${host.url}/api/HELLO`, { method: 'POST', body: JSON.stringify({ a: [1, 2] }), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: null, method: 'POST', body: { a: [1, 2] } });
  });

  it('uses the function name as the default route and resolves %SETTING% in routes from local.settings.json', async () => {
    expect(await (await fetch(`${host.url}/api/defaultRoute`)).text()).toBe('default route is the function name');
    expect(await (await fetch(`${host.url}/api/greetings/fr`)).text()).toBe('greeting in fr');
    expect((await fetch(`${host.url}/api/greetings/f1`)).status).toBe(404);
  });

  it('answers 404 with an empty body for unknown routes, unmatched constraints and other methods', async () => {
    for (const [method, url] of [
      ['GET', '/api/nowhere'],
      ['GET', '/nowhere'],
      ['GET', '/hello/ann'],
      ['GET', '/api/items/abc'],
      ['PUT', '/api/hello/ann'],
      ['GET', '/api/secure/admin'],
    ] as const) {
      const response = await fetch(`${host.url}${url}?code=${host.keys.masterKey}`, { method });
      expect({ method, url, status: response.status, body: await response.text() }).toEqual({ method, url, status: 404, body: '' });
    }
  });

  it('enforces authLevel function with a function key or the master key, by header or code query', async () => {
    expect((await fetch(`${host.url}/api/items/5`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/items/5`, { headers: { 'x-functions-key': 'wrong' } })).status).toBe(401);
    const byHeader = await fetch(`${host.url}/api/items/5`, { headers: { 'x-functions-key': functionKey() } });
    expect(byHeader.status).toBe(200);
    expect(await byHeader.json()).toEqual({ id: '5' });
    expect((await fetch(`${host.url}/api/items/5?code=${encodeURIComponent(host.keys.masterKey)}`)).status).toBe(200);
  });

  it('enforces authLevel admin with the master key only', async () => {
    expect((await fetch(`${host.url}/api/secure/admin`, { method: 'DELETE', headers: { 'x-functions-key': functionKey() } })).status).toBe(401);
    expect((await fetch(`${host.url}/api/secure/admin`, { method: 'DELETE', headers: { 'x-functions-key': host.keys.masterKey } })).status).toBe(204);
  });

  it('answers 500 with an empty body when the handler throws, and logs the failure with its invocation id', async () => {
    const response = await fetch(`${host.url}/api/failing`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('');
    expect(logs.find((entry) => entry.properties.functionName === 'failing' && entry.properties.outcome === 'Failed')).toMatchObject({
      namespace: 'sluice:local:host',
      properties: { error: 'handler failed on purpose', invocationId: expect.any(String), durationMs: expect.any(Number) },
    });
  });

  it('runs app hooks around HTTP invocations', async () => {
    const events = (await (await fetch(`${host.url}/api/hookEvents`)).json()) as string[];
    expect(events[0]).toBe('appStart');
    expect(events).toEqual(expect.arrayContaining(['pre:hello', 'post:hello:true']));
  });

  it('fails durableClient functions clearly when no Durable engine is configured', async () => {
    const response = await fetch(`${host.url}/api/orchestrators/chain`, { method: 'POST' });
    expect(response.status).toBe(500);
    expect(logs.find((entry) => entry.properties.code === 'DurableHostMissing')?.properties.error).toContain('To fix');
  });

  it('reports functions, uptime and counts on /admin/host/status to the master key only', async () => {
    expect((await fetch(`${host.url}/admin/host/status`)).status).toBe(401);
    const response = await fetch(`${host.url}/admin/host/status`, { headers: { 'x-functions-key': host.keys.masterKey } });
    expect(response.status).toBe(200);
    const status = (await response.json()) as { state: string; uptimeMs: number; functions: Array<{ name: string; invocations: number }>; counts: { failed: number } };
    expect(status.state).toBe('Running');
    expect(status.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(status.functions.find((fn) => fn.name === 'hello')?.invocations).toBeGreaterThanOrEqual(2);
    expect(status.counts.failed).toBeGreaterThanOrEqual(1);
  });

  it('runs a non-HTTP function through POST /admin/functions/{name} with the master key', async () => {
    const recorder = new InvocationRecorder();
    const unsubscribe = host.onInvocationCompleted(recorder.listener);
    try {
      const post = (name: string, key: string, body: string) =>
        fetch(`${host.url}/admin/functions/${name}`, { method: 'POST', headers: { 'x-functions-key': key, 'content-type': 'application/json' }, body });
      expect((await post('echo', functionKey(), '{"input":"x"}')).status).toBe(401);
      expect((await post('nope', host.keys.masterKey, '{}')).status).toBe(404);
      expect((await post('hello', host.keys.masterKey, '{}')).status).toBe(400);
      expect((await post('echo', host.keys.masterKey, '{"input":')).status).toBe(400);
      expect((await post('echo', host.keys.masterKey, '{"input":"{\\"city\\":\\"Oslo\\"}"}')).status).toBe(202);
      const event = await recorder.waitFor((e) => e.functionName === 'echo');
      expect(returnJson(event)).toMatchObject({ input: { city: 'Oslo' } });
    } finally {
      unsubscribe();
    }
  });

  it('keeps the generated keys in the data directory across restarts', async () => {
    const again = await startHost({ appDir: basicApp, port: 0, dataDir, env: {}, logSink: () => undefined });
    try {
      expect(again.keys.masterKey).toBe(host.keys.masterKey);
      expect(again.url).not.toBe(host.url);
    } finally {
      await again.stop();
    }
  });
});

describe('local host with a Durable half plugged in', () => {
  it('passes the DurableHost payload as the durableClient input and mounts its management API', async () => {
    const bindings: FunctionBinding[] = [];
    const durable: DurableHost = {
      getDurableClientPayload: (binding) => {
        bindings.push(binding);
        return { taskHubName: 'TestHub', rpcBaseUrl: 'http://127.0.0.1/runtime/webhooks/durabletask/' };
      },
      handlesRequest: (request: IncomingMessage) => (request.url ?? '').startsWith('/runtime/webhooks/durabletask/'),
      handleRequest: async (_request: IncomingMessage, response: ServerResponse) => {
        response.writeHead(202, { 'content-type': 'text/plain' }).end('durable management');
      },
      start: async () => undefined,
      stop: async () => undefined,
    };
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-host-durable-'));
    const env: NodeJS.ProcessEnv = {};
    const host = await startHost({ appDir: basicApp, port: 0, dataDir, env, logSink: () => undefined, durable: () => durable });
    try {
      const started = await fetch(`${host.url}/api/orchestrators/chain`, { method: 'POST' });
      expect(started.status).toBe(200);
      expect(await started.json()).toEqual({ client: { taskHubName: 'TestHub', rpcBaseUrl: 'http://127.0.0.1/runtime/webhooks/durabletask/' } });
      expect(bindings).toEqual([expect.objectContaining({ type: 'durableClient', direction: 'in' })]);
      const management = await fetch(`${host.url}/runtime/webhooks/durabletask/instances`);
      expect(management.status).toBe(202);
      expect(await management.text()).toBe('durable management');
      expect(env.WEBSITE_HOSTNAME).toBe(host.url.replace('http://', ''));
    } finally {
      await host.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(env.WEBSITE_HOSTNAME).toBeUndefined();
  });

  it('serves routes at the root when host.json sets routePrefix to ""', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-host-glob-'));
    const host = await startHost({ appDir: path.resolve(__dirname, '../../apps/glob'), port: 0, dataDir, env: {}, logSink: () => undefined });
    try {
      expect(await (await fetch(`${host.url}/glob/two`)).text()).toBe('two');
      expect((await fetch(`${host.url}/api/glob/two`)).status).toBe(404);
    } finally {
      await host.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
