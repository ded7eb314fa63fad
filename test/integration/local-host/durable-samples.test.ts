import { createTestFunctionsHost } from '../../support/durable/functions-core';
import { startHarness, waitFor, waitForStatus, type Harness } from '../../support/durable/harness';

const mockFunctionsHost = createTestFunctionsHost();
jest.mock('@azure/functions-core', () => mockFunctionsHost.core, { virtual: true });

let h: Harness;
let samples: typeof import('../../apps/durable-samples/monitor') & typeof import('../../apps/durable-samples/features');

beforeAll(async () => {
  // Loaded after the core module is provided, as the Functions host does with the app's entry point.
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('../../apps/durable-samples/index');
  samples = { ...require('../../apps/durable-samples/monitor'), ...require('../../apps/durable-samples/features') };
  /* eslint-enable @typescript-eslint/no-require-imports */
  h = await startHarness(mockFunctionsHost);
});

afterAll(async () => {
  await h.close();
});

async function startViaHttp(name: string, input?: unknown): Promise<{ response: Response; body: Record<string, string> }> {
  const response = await fetch(`${h.front.baseUrl}/api/orchestrators/${name}`, {
    method: 'POST',
    ...(input !== undefined ? { body: JSON.stringify(input), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { response, body: (await response.json()) as Record<string, string> };
}

describe('function chaining through the HTTP starter', () => {
  it('answers 202 with the check-status payload and Location, then completes with the three greetings', async () => {
    const { response, body } = await startViaHttp('helloSequence');
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(body['statusQueryGetUri']);
    expect(response.headers.get('retry-after')).toBe('10');
    expect(Object.keys(body)).toEqual(['id', 'statusQueryGetUri', 'sendEventPostUri', 'terminatePostUri', 'rewindPostUri', 'purgeHistoryDeleteUri', 'restartPostUri', 'suspendPostUri', 'resumePostUri']);
    expect(body['statusQueryGetUri']).toBe(`${h.front.baseUrl}/runtime/webhooks/durabletask/instances/${body['id']}?taskHub=SamplesHub&connection=Storage`);
    await waitForStatus(h, body['id']!, ['Completed']);
    const status = await fetch(body['statusQueryGetUri']!);
    expect(status.status).toBe(200);
    const json = (await status.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'helloSequence', instanceId: body['id'], runtimeStatus: 'Completed', input: '', output: ['Hello, Tokyo', 'Hello, Seattle', 'Hello, Cairo'] });
    expect(json['createdTime']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('records the DTFx event sequence in the history', async () => {
    const { body } = await startViaHttp('helloSequence');
    await waitForStatus(h, body['id']!, ['Completed']);
    const types = h.store.getHistory(body['id']!).map((e) => e.EventType);
    expect(types).toEqual([12, 0, 13, 4, 12, 5, 13, 4, 12, 5, 13, 4, 12, 5, 13, 1]);
  });
});

describe('fan-out/fan-in', () => {
  it('runs every item and sums the results', async () => {
    const { body } = await startViaHttp('fanOutFanIn', { count: 20 });
    const record = await waitForStatus(h, body['id']!, ['Completed', 'Failed']);
    expect(record.output).toBe(JSON.stringify(420));
  });
});

describe('async HTTP API and human interaction', () => {
  it('reports 202 with Location while waiting, then 200 once the approval event arrives', async () => {
    const { body } = await startViaHttp('approvalWorkflow');
    const id = body['id']!;
    await waitFor(h, () => h.store.getHistory(id).some((e) => e.EventType === 5));
    const running = await fetch(body['statusQueryGetUri']!);
    expect(running.status).toBe(202);
    expect(running.headers.get('location')).toBe(body['statusQueryGetUri']);
    expect(running.headers.get('retry-after')).toBe('5');
    expect(((await running.json()) as { runtimeStatus: string }).runtimeStatus).toBe('Running');
    const raise = await fetch(body['sendEventPostUri']!.replace('{eventName}', 'Approval'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approved: true }),
    });
    expect(raise.status).toBe(202);
    await waitForStatus(h, id, ['Completed']);
    const done = await fetch(body['statusQueryGetUri']!);
    expect(done.status).toBe(200);
    expect(((await done.json()) as { output: unknown }).output).toBe('approved');
    const late = await fetch(body['sendEventPostUri']!.replace('{eventName}', 'Approval'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(late.status).toBe(410);
  });

  it('escalates when the 72 h timer wins, without real waiting', async () => {
    const { body } = await startViaHttp('approvalWorkflow');
    const id = body['id']!;
    const startedAt = h.clock.nowMs();
    const record = await waitForStatus(h, id, ['Completed'], { skipTime: true });
    expect(record.output).toBe(JSON.stringify(`escalated ${id}`));
    expect(h.clock.nowMs() - startedAt).toBeGreaterThanOrEqual(72 * 3600_000);
  });

  it('answers 404 for an unknown instance', async () => {
    const response = await fetch(`${h.front.baseUrl}/runtime/webhooks/durabletask/instances/nope`);
    expect(response.status).toBe(404);
  });
});

describe('monitor', () => {
  it('polls on a timer until the job completes, exposing progress as custom status', async () => {
    const { body } = await startViaHttp('monitorJob', { jobId: 'job-1', pollingIntervalSeconds: 30, expiryMinutes: 60 });
    const id = body['id']!;
    await waitFor(h, () => h.store.getHistory(id).filter((e) => e.EventType === 5).length >= 1);
    h.clock.advanceBy(30_000);
    await waitFor(h, () => h.store.getHistory(id).filter((e) => e.EventType === 5).length >= 2);
    expect(JSON.parse(h.store.getInstance(id)!.customStatus ?? 'null')).toEqual({ checks: 2, status: 'Running' });
    samples.jobStatuses.set('job-1', 'Completed');
    h.clock.advanceBy(30_000);
    const record = await waitForStatus(h, id, ['Completed']);
    expect(JSON.parse(record.output ?? 'null')).toEqual({ status: 'Completed', checks: 3 });
    expect(samples.alerts).toContain('Job job-1 completed');
  });
});
