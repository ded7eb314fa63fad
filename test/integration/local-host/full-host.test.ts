import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { durableHostFactory } from '../../../local/host/durable/factory';
import { startHost, type RunningHost } from '../../../local/host/host';
import { InvocationRecorder } from './helpers/invocations';

const durableApp = path.resolve(__dirname, '../../apps/durable');

interface CheckStatus {
  id: string;
  statusQueryGetUri: string;
}

describe('both halves through startHost: HTTP starter, Durable engine on sqlite, management API', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-host-full-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = (recorder: InvocationRecorder): Promise<RunningHost> =>
    startHost({ appDir: durableApp, port: 0, dataDir, logSink: () => undefined, durable: durableHostFactory(), onInvocationCompleted: recorder.listener });

  const orchestrationDone = (recorder: InvocationRecorder) =>
    recorder.waitFor((e) => e.functionName === 'chain' && (JSON.parse(e.output?.returnValue?.json ?? '{}') as { isDone?: boolean }).isDone === true);

  it('runs a chain started over HTTP to completion and serves its status at the check-status URL, also after a restart', async () => {
    const recorder = new InvocationRecorder();
    let host = await start(recorder);
    let statusUrl: string;
    try {
      const response = await fetch(`${host.url}/api/check/chain`, { method: 'POST' });
      expect(response.status).toBe(202);
      const check = (await response.json()) as CheckStatus;
      expect(response.headers.get('location')).toBe(check.statusQueryGetUri);
      expect(check.statusQueryGetUri.startsWith(`${host.url}/runtime/webhooks/durabletask/instances/${check.id}`)).toBe(true);
      await orchestrationDone(recorder);
      statusUrl = check.statusQueryGetUri;
      const status = await fetch(statusUrl);
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({ instanceId: check.id, runtimeStatus: 'Completed', output: 'Hello, Oslo' });
    } finally {
      await host.stop();
    }

    host = await start(new InvocationRecorder());
    try {
      const again = await fetch(statusUrl.replace(/^http:\/\/[^/]+/, host.url));
      expect(await again.json()).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello, Oslo' });
    } finally {
      await host.stop();
    }
  });
});
