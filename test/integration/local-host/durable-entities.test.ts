import { createTestFunctionsHost } from '../../support/durable/functions-core';
import { startHarness, waitFor, waitForStatus, type Harness } from '../../support/durable/harness';

const mockFunctionsHost = createTestFunctionsHost();
jest.mock('@azure/functions-core', () => mockFunctionsHost.core, { virtual: true });

let h: Harness;

beforeAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../../apps/durable-samples/index');
  h = await startHarness(mockFunctionsHost);
});

afterAll(async () => {
  await h.close();
});

const rpc = (path: string): string => `${h.front.baseUrl}/durabletask/${path}`;

async function start(name: string, input: unknown): Promise<string> {
  const response = await fetch(rpc(`orchestrators/${name}`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function signal(key: string, op: string, input?: number): Promise<void> {
  const response = await fetch(rpc(`entities/Counter/${key}?op=${op}`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(input !== undefined ? { body: JSON.stringify(input) } : {}),
  });
  expect(response.status).toBe(202);
}

async function readCounter(key: string): Promise<{ status: number; value?: unknown }> {
  const response = await fetch(rpc(`entities/Counter/${key}`));
  return response.status === 200 ? { status: 200, value: await response.json() } : { status: response.status };
}

describe('counter entity', () => {
  it('applies signals in order and serves its state to readEntityState', async () => {
    expect((await readCounter('c1')).status).toBe(404);
    await signal('c1', 'add', 5);
    await signal('c1', 'add', 7);
    await signal('c1', 'add', -2);
    await waitFor(h, () => h.store.getEntity('@counter@c1')?.state === '10');
    expect(await readCounter('c1')).toEqual({ status: 200, value: 10 });
    await signal('c1', 'reset');
    await waitFor(h, () => h.store.getEntity('@counter@c1')?.state === '0');
  });

  it('processes operations in arrival order (FIFO per entity)', async () => {
    await signal('fifo', 'add', 5);
    await signal('fifo', 'reset');
    await signal('fifo', 'add', 3);
    await signal('fifo', 'add', 4);
    await signal('fifo', 'reset');
    await signal('fifo', 'add', 9);
    await waitFor(h, () => h.host.client.getEntity('Counter', 'fifo') !== undefined && h.store.messagesFor('entity', '@counter@fifo', h.clock.nowMs()).length === 0);
    expect(h.store.getEntity('@counter@fifo')?.state).toBe('9');
  });

  it('answers callEntity from an orchestration with the operation result', async () => {
    const id = await start('counterCall', { key: 'c2', amount: 4 });
    const record = await waitForStatus(h, id, ['Completed', 'Failed']);
    expect(record.output).toBe('4');
  });

  it('lists entities with their state', async () => {
    await signal('listed', 'add', 1);
    await waitFor(h, () => h.store.getEntity('@counter@listed')?.exists === true);
    const response = await fetch(rpc('entities/Counter?fetchState=true'));
    expect(response.status).toBe(200);
    const list = (await response.json()) as Array<{ entityId: { name: string; key: string }; state: unknown }>;
    expect(list).toContainEqual(expect.objectContaining({ entityId: { name: 'counter', key: 'listed' }, state: 1 }));
  });
});

describe('critical section', () => {
  it('keeps the total constant when transfers between the same accounts race', async () => {
    await signal('a', 'add', 100);
    await signal('b', 'add', 100);
    await waitFor(h, () => h.store.getEntity('@counter@a')?.state === '100' && h.store.getEntity('@counter@b')?.state === '100');
    const ids = await Promise.all([
      start('transfer', { from: 'a', to: 'b', amount: 30 }),
      start('transfer', { from: 'b', to: 'a', amount: 50 }),
      start('transfer', { from: 'a', to: 'b', amount: 80 }),
      start('transfer', { from: 'a', to: 'b', amount: 10 }),
    ]);
    const records = await Promise.all(ids.map((id) => waitForStatus(h, id, ['Completed', 'Failed'])));
    expect(records.map((r) => r.status)).toEqual(['Completed', 'Completed', 'Completed', 'Completed']);
    await waitFor(h, () => h.store.getEntity('@counter@audit')?.state === '4');
    const a = Number(h.store.getEntity('@counter@a')?.state);
    const b = Number(h.store.getEntity('@counter@b')?.state);
    expect(a + b).toBe(200);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThanOrEqual(0);
    expect(h.store.getEntity('@counter@a')?.lockedBy).toBeNull();
    expect(h.store.getEntity('@counter@b')?.lockedBy).toBeNull();
  });
});
