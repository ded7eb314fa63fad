import { rmSync } from 'node:fs';
import { buildApp, startAppUnderTest, type AppUnderTest } from './app-under-test';

describe('configuration management API on the local host with the Cosmos DB stand-in', () => {
  let app: AppUnderTest;
  let appDir: string;

  beforeAll(async () => {
    appDir = buildApp();
    app = await startAppUnderTest(appDir, { SLUICE_CONFIG: JSON.stringify({ semaphores: [{ kind: 'target', name: 'warehouse', capacity: 2 }] }) });
  });
  afterAll(async () => {
    await app?.stop();
    if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
  });

  const semaphore = { capacity: 3 };

  it('requires a function key', async () => {
    const response = await fetch(`${app.host.url}/api/config/semaphores`);
    expect(response.status).toBe(401);
  });

  it('creates an item (201, version 1, ETag), lists it per kind and gets it by name', async () => {
    const put = await app.call('PUT', 'config/semaphores/source:crm', { body: semaphore, headers: { 'x-ms-client-principal-name': 'ops@example.com' } });
    expect(put.status).toBe(201);
    const created = (await put.json()) as { version: number; etag: string; spec: unknown };
    expect(created).toMatchObject({ kind: 'semaphores', name: 'source:crm', version: 1, updatedBy: 'ops@example.com', spec: { kind: 'source', name: 'crm', capacity: 3, shards: 1 } });
    expect(put.headers.get('etag')).toBe(created.etag);
    const list = (await (await app.call('GET', 'config/semaphores')).json()) as { items: Array<{ name: string }> };
    expect(list.items.map((i) => i.name)).toEqual(['source:crm']);
    const get = await app.call('GET', 'config/semaphores/source:crm');
    expect(get.status).toBe(200);
    expect(get.headers.get('etag')).toBe(created.etag);
  });

  it('answers a PUT of the same body with 200 and the current version, writing no new version and no audit entry', async () => {
    const before = (await (await app.call('GET', 'config/audit')).json()) as { entries: unknown[] };
    const again = await app.call('PUT', 'config/semaphores/source:crm', { body: { ...semaphore, shards: 1 } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ version: 1 });
    const after = (await (await app.call('GET', 'config/audit')).json()) as { entries: unknown[] };
    expect(after.entries).toHaveLength(before.entries.length);
  });

  it('changes an item under If-Match, audits the diff, and refuses a stale ETag with 412', async () => {
    const current = await app.call('GET', 'config/semaphores/source:crm');
    const etag = current.headers.get('etag') ?? '';
    const changed = await app.call('PUT', 'config/semaphores/source:crm', { body: { capacity: 5 }, headers: { 'if-match': etag } });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ version: 2, spec: { capacity: 5 } });
    const stale = await app.call('PUT', 'config/semaphores/source:crm', { body: { capacity: 6 }, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ error: { code: 'PreconditionFailed', target: 'If-Match' } });
    const audit = (await (await app.call('GET', 'config/audit')).json()) as { entries: Array<Record<string, unknown>> };
    expect(audit.entries[0]).toMatchObject({ kind: 'semaphores', name: 'source:crm', action: 'update', version: 2, identity: 'function-key', changes: [{ path: 'capacity', from: 3, to: 5 }] });
  });

  it('rejects an invalid item with 400 naming the field, and stores nothing', async () => {
    const bad = await app.call('PUT', 'config/semaphores/target:warehouse', { body: { capacity: 'four' } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string; target: string } };
    expect(body.error).toMatchObject({ code: 'ConfigInvalid', target: 'capacity' });
    expect(body.error.message).toContain('To fix');
    expect((await app.call('GET', 'config/semaphores/target:warehouse')).status).toBe(404);
    const unknownKind = await app.call('GET', 'config/widgets');
    expect(unknownKind.status).toBe(400);
    expect(await unknownKind.json()).toMatchObject({ error: { target: 'kind' } });
    const mismatch = await app.call('PUT', 'config/pipelines/sales', { body: { name: 'other' } });
    expect(await mismatch.json()).toMatchObject({ error: { code: 'ConfigInvalid', target: 'name' } });
  });

  it('deletes an item (204, audited), then answers 404 naming it', async () => {
    await app.call('PUT', 'config/streamPolicies/crm', { body: { suspendAfterFailures: 5 } });
    const deleted = await app.call('DELETE', 'config/streamPolicies/crm');
    expect(deleted.status).toBe(204);
    const gone = await app.call('GET', 'config/streamPolicies/crm');
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: 'ConfigNotFound', target: 'name' } });
    const audit = (await (await app.call('GET', 'config/audit')).json()) as { entries: Array<Record<string, unknown>> };
    expect(audit.entries.filter((e) => e['name'] === 'crm').map((e) => e['action']).sort()).toEqual(['create', 'delete']);
  });

  it('serves the effective configuration (bootstrap file plus store) and picks up a change without a restart', async () => {
    const before = (await (await app.call('GET', 'config')).json()) as { semaphores: Array<{ name: string; capacity: number }> };
    expect(before.semaphores.find((s) => s.name === 'warehouse')?.capacity).toBe(2);
    expect((await app.call('PUT', 'config/semaphores/target:warehouse', { body: { capacity: 4 } })).status).toBe(201);
    const after = (await (await app.call('GET', 'config')).json()) as { semaphores: Array<{ name: string; capacity: number }> };
    expect(after.semaphores.find((s) => s.name === 'warehouse')?.capacity).toBe(4);
  });

  it('applies a semaphore capacity to its live entity: raising it grants the queued waiter', async () => {
    const entityUrl = `${app.host.url}/runtime/webhooks/durabletask/entities/semaphore/source:billing`;
    const readEntity = async () => (await (await fetch(entityUrl)).json()) as { capacity: number; holders: Record<string, unknown>; waiters: Array<{ owner: string }> };
    expect((await app.call('PUT', 'config/semaphores/source:billing', { body: { capacity: 1 } })).status).toBe(201);
    expect((await readEntity()).capacity).toBe(1);

    // Two owners ask for a permit (signals, as an orchestration's callEntity would): one holds, one waits.
    for (const owner of ['w1', 'w2']) {
      const acquire = { owner, want: 1, leaseInMs: 600_000, capacityIfNew: 1, nowMs: Date.now() };
      expect((await fetch(`${entityUrl}?op=acquire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(acquire) })).status).toBe(202);
    }
    await app.durableIdle();
    const queued = await readEntity();
    expect(Object.keys(queued.holders)).toEqual(['w1']);
    expect(queued.waiters.map((w) => w.owner)).toEqual(['w2']);

    expect((await app.call('PUT', 'config/semaphores/source:billing', { body: { capacity: 2 } })).status).toBe(200);
    const raised = await readEntity();
    expect(raised.capacity).toBe(2);
    expect(Object.keys(raised.holders).sort()).toEqual(['w1', 'w2']);
    expect(raised.waiters).toEqual([]);
  });

  it('refuses a pipeline naming a semaphore that does not exist, and a delete that would leave a dangling reference', async () => {
    const pipeline = {
      streams: ['*_Account'],
      source: { kind: 'blob', container: 'landing' },
      target: { kind: 'postgres', schema: 'crm', table: 'account' },
      targetSemaphore: 'nowhere',
      keyColumns: ['id'],
    };
    const dangling = await app.call('PUT', 'config/pipelines/account', { body: pipeline });
    const body = (await dangling.json()) as { error: { code: string; target: string; message: string } };
    expect(dangling.status).toBe(400);
    expect(body.error).toMatchObject({ code: 'ConfigInvalid', target: 'targetSemaphore' });
    expect((await app.call('PUT', 'config/pipelines/account', { body: { ...pipeline, targetSemaphore: 'warehouse' } })).status).toBe(201);
    const refused = await app.call('DELETE', 'config/semaphores/target:warehouse');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'ConfigInvalid', target: 'pipelines[0].targetSemaphore' } });
  });
});
