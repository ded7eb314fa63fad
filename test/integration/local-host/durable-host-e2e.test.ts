import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { durableHostFactory } from '../../../local/host/durable/factory';
import { startHost, type RunningHost } from '../../../local/host/host';
import type { HostLogEntry } from '../../../local/host/log';

const durableApp = path.resolve(__dirname, '../../apps/durable-js');

/** Polls a URL (a real HTTP round trip per check) until `done`, bounded by a deadline. */
async function pollUntil(url: string, done: (r: Response) => boolean, timeoutMs = 10_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(url);
    if (done(response)) return response;
    await response.arrayBuffer();
    if (Date.now() > deadline) throw new Error(`${url} did not reach the expected state within ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('startHost with the Durable half (sqlite task hub)', () => {
  let dataDir: string;
  const logs: HostLogEntry[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-durable-e2e-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = (): Promise<RunningHost> =>
    startHost({ appDir: durableApp, port: 0, dataDir, env: { ...process.env }, logSink: (e) => logs.push(e), durable: durableHostFactory() });

  it('runs the HTTP starter, the orchestration and the status API end to end, and keeps the task hub across restarts', async () => {
    let host = await start();
    let id: string;
    try {
      const started = await fetch(`${host.url}/api/orchestrators/helloSequence`, { method: 'POST' });
      expect(started.status).toBe(202);
      const body = (await started.json()) as { id: string; statusQueryGetUri: string };
      id = body.id;
      expect(started.headers.get('location')).toBe(body.statusQueryGetUri);
      expect(body.statusQueryGetUri.startsWith(`${host.url}/runtime/webhooks/durabletask/instances/${id}?`)).toBe(true);
      const done = await pollUntil(body.statusQueryGetUri, (r) => r.status === 200);
      expect(await done.json()).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello, Tokyo', 'Hello, Seattle', 'Hello, Cairo'] });
      const viaClient = await fetch(`${host.url}/api/status/${id}`);
      expect(await viaClient.json()).toEqual({ runtimeStatus: 'Completed', output: ['Hello, Tokyo', 'Hello, Seattle', 'Hello, Cairo'] });
      expect(logs.some((e) => e.namespace.endsWith(':durable') && e.message === 'Sluice.Orchestration.Completed' && e.properties['instanceId'] === id)).toBe(true);
    } finally {
      await host.stop();
    }
    host = await start();
    try {
      const again = await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${id}`);
      expect(again.status).toBe(200);
      expect(((await again.json()) as { runtimeStatus: string }).runtimeStatus).toBe('Completed');
    } finally {
      await host.stop();
    }
  });
});
