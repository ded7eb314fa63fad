import { streamWorkerInputFixture } from '../../../support/stream-worker-fixture';
import { loadApp } from '../../../support/durable-app';
import { orchestrationStatus, startDurableRpcStub, type DurableRpcStub, type Responder } from '../../../support/durable-rpc-stub';

const app = loadApp();
const worker = streamWorkerInputFixture();

let stub: DurableRpcStub | undefined;
async function withStub(respond: Responder): Promise<DurableRpcStub> {
  stub = await startDurableRpcStub(respond);
  return stub;
}
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe('notifyGrants activity', () => {
  it('raises PermitGranted on each granted owner and reports owners with no instance', async () => {
    const s = await withStub((r) => ({ status: r.path.includes('/instances/ghost/') ? 404 : 202 }));
    const grants = [
      { owner: 'stream-worker:UK', permits: 1, leaseExpiresAtMs: 10 },
      { owner: 'ghost', permits: 2, leaseExpiresAtMs: 11 },
    ];
    const result = await app.invoke('notifyGrants', { semaphore: 'target:pg', grants }, { durableClient: s.clientPayload });
    expect(result).toEqual({ notified: 1, unknownOwners: ['ghost'] });
    expect(s.requests.map((r) => [r.method, r.path.split('?')[0], JSON.parse(r.body)])).toEqual([
      ['POST', '/durabletask/instances/stream-worker:UK/raiseEvent/PermitGranted', { semaphore: 'target:pg', permits: 1, leaseExpiresAtMs: 10 }],
      ['POST', '/durabletask/instances/ghost/raiseEvent/PermitGranted', { semaphore: 'target:pg', permits: 2, leaseExpiresAtMs: 11 }],
    ]);
  });

  it('throws on any other failure so the orchestration retries it', async () => {
    const s = await withStub(() => ({ status: 500, body: { message: 'storage unavailable' } }));
    await expect(
      app.invoke('notifyGrants', { semaphore: 'target:pg', grants: [{ owner: 'a', permits: 1, leaseExpiresAtMs: 1 }] }, { durableClient: s.clientPayload }),
    ).rejects.toThrow();
  });

  it('rejects input without grants', async () => {
    const s = await withStub(() => ({ status: 202 }));
    await expect(app.invoke('notifyGrants', { semaphore: 'target:pg' }, { durableClient: s.clientPayload })).rejects.toMatchObject({ code: 'InvalidArgument' });
    expect(s.requests).toEqual([]);
  });
});

describe('startStreamWorker activity', () => {
  it('starts streamWorker under the elected instance id with the worker input', async () => {
    const s = await withStub(() => ({ status: 202, body: { id: 'stream-worker:UK_Account:g1' } }));
    const result = await app.invoke('startStreamWorker', { instanceId: 'stream-worker:UK_Account:g1', worker }, { durableClient: s.clientPayload });
    expect(result).toEqual({ instanceId: 'stream-worker:UK_Account:g1', started: true });
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.path).toBe('/durabletask/orchestrators/streamWorker/stream-worker:UK_Account:g1');
    expect(JSON.parse(s.requests[0]!.body)).toEqual(worker);
  });

  it('treats a start refused because its own earlier start is already running as done', async () => {
    const s = await withStub((r) =>
      r.method === 'POST' ? { status: 409, body: { message: 'already exists' } } : { status: 200, body: orchestrationStatus('stream-worker:UK_Account:g1', 'Running') },
    );
    const result = await app.invoke('startStreamWorker', { instanceId: 'stream-worker:UK_Account:g1', worker }, { durableClient: s.clientPayload });
    expect(result).toEqual({ instanceId: 'stream-worker:UK_Account:g1', started: false });
  });

  it('rethrows a refused start when the instance is not running', async () => {
    const s = await withStub((r) =>
      r.method === 'POST' ? { status: 500, body: { message: 'boom' } } : { status: 200, body: orchestrationStatus('stream-worker:UK_Account:g1', 'Failed') },
    );
    await expect(app.invoke('startStreamWorker', { instanceId: 'stream-worker:UK_Account:g1', worker }, { durableClient: s.clientPayload })).rejects.toThrow();
  });

  it('refuses an instance id that is not the stream worker id of the stream', async () => {
    const s = await withStub(() => ({ status: 202, body: { id: 'x' } }));
    await expect(app.invoke('startStreamWorker', { instanceId: 'stream-worker:FR_Account:g1', worker }, { durableClient: s.clientPayload })).rejects.toMatchObject({ code: 'InvalidArgument' });
    expect(s.requests).toEqual([]);
  });
});

describe('raiseAlert activity', () => {
  it('logs Sluice.Stream.Suspended and validates its input', async () => {
    const alert = { streamId: 'UK_Account', pipeline: 'accounts', workerId: 'stream-worker:UK_Account:g1', windowId: 'UK_Account/3', consecutiveFailures: 5, error: 'load: pg down', atMs: 1 };
    await expect(app.invoke('raiseAlert', alert)).resolves.toEqual({ event: 'Sluice.Stream.Suspended' });
    await expect(app.invoke('raiseAlert', { streamId: 'UK_Account' })).rejects.toMatchObject({ code: 'InvalidArgument' });
  });
});
