import { createTestFunctionsHost } from '../../support/durable/functions-core';
import { startHarness, waitFor, waitForStatus, type Harness } from '../../support/durable/harness';

const mockFunctionsHost = createTestFunctionsHost();
jest.mock('@azure/functions-core', () => mockFunctionsHost.core, { virtual: true });

let h: Harness;
let features: typeof import('../../apps/durable-samples/features');

beforeAll(async () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('../../apps/durable-samples/index');
  features = require('../../apps/durable-samples/features');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // Short timer limits so a 3-day timer exercises the host's long-timer chain (1 day per step).
  h = await startHarness(mockFunctionsHost, {
    maxShortTimerMs: 24 * 3600_000,
    longTimerIntervalMs: 24 * 3600_000,
    hostJson: { extensions: { durableTask: { hubName: 'LifecycleHub', maxConcurrentActivityFunctions: 3 } } },
  });
});

afterAll(async () => {
  await h.close();
});

const rpc = (path: string): string => `${h.front.baseUrl}/durabletask/${path}`;

async function start(name: string, input?: unknown, instanceId?: string): Promise<Response> {
  return fetch(rpc(`orchestrators/${name}${instanceId ? `/${instanceId}` : ''}`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: input === undefined ? '""' : JSON.stringify(input),
  });
}

async function startId(name: string, input?: unknown, instanceId?: string): Promise<string> {
  const response = await start(name, input, instanceId);
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

const post = (path: string, body?: unknown): Promise<Response> =>
  fetch(rpc(path), { method: 'POST', headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

describe('activity retries', () => {
  it('retries a failing activity with its retry timers and succeeds on the third attempt', async () => {
    const id = await startId('withRetry', { key: 'r1', failures: 2, maxAttempts: 3 });
    const record = await waitForStatus(h, id, ['Completed', 'Failed'], { skipTime: true });
    expect(record.output).toBe(JSON.stringify('ok after 3'));
    expect(features.attempts.get('r1')).toBe(3);
    const types = h.store.getHistory(id).map((e) => e.EventType);
    expect(types.filter((t) => t === 10)).toHaveLength(2);
  });

  it('gives up after the maximum number of attempts and surfaces the last error', async () => {
    const id = await startId('withRetry', { key: 'r2', failures: 5, maxAttempts: 2 });
    const record = await waitForStatus(h, id, ['Completed', 'Failed'], { skipTime: true });
    expect(JSON.parse(record.output ?? 'null')).toBe('gave up: flaky failure 2 of 5 ');
    expect(features.attempts.get('r2')).toBe(2);
  });
});

describe('sub-orchestrations, continue-as-new and long timers', () => {
  it('returns the results of sub-orchestrations to the parent', async () => {
    const id = await startId('parent');
    const record = await waitForStatus(h, id, ['Completed', 'Failed']);
    expect(JSON.parse(record.output ?? 'null')).toEqual({ greetings: 3, sum: 12 });
    expect(h.store.getInstance(`${id}-child`)?.parent?.instanceId).toBe(id);
  });

  it('restarts the history on continue-as-new and completes the last generation', async () => {
    const id = await startId('countdown', 3);
    const record = await waitForStatus(h, id, ['Completed', 'Failed']);
    expect(record.output).toBe(JSON.stringify('liftoff'));
    expect(JSON.parse(record.customStatus ?? 'null')).toEqual({ remaining: 0 });
    expect(h.store.getHistory(id).filter((e) => e.EventType === 0)).toHaveLength(1);
  });

  it('fires a timer longer than the maximum short timer through a chain of sub-timers', async () => {
    const id = await startId('approvalWorkflow', { timeoutHours: 72 });
    const record = await waitForStatus(h, id, ['Completed', 'Failed'], { skipTime: true });
    expect(record.output).toBe(JSON.stringify(`escalated ${id}`));
    expect(h.store.getHistory(id).filter((e) => e.EventType === 11)).toHaveLength(3);
  });
});

describe('external events and entity errors', () => {
  it('delivers an event raised before the orchestrator waits for it', async () => {
    const id = await startId('approvalWorkflow', undefined, 'early-event');
    expect((await post(`instances/${id}/raiseEvent/Approval`, { approved: false })).status).toBe(202);
    const record = await waitForStatus(h, id, ['Completed', 'Failed']);
    expect(record.output).toBe(JSON.stringify('rejected'));
  });

  it('gives activities that declare a durableClient input a working client (raiseEvent back to the owner)', async () => {
    const id = await startId('waitForNotification');
    const record = await waitForStatus(h, id, ['Completed', 'Failed']);
    expect(JSON.parse(record.output ?? 'null')).toEqual({ from: 'activity' });
  });

  it('fails the orchestration task when an entity operation throws, and the orchestrator can catch it', async () => {
    const id = await startId('entityFailure');
    const record = await waitForStatus(h, id, ['Completed', 'Failed']);
    expect(record.status).toBe('Completed');
    expect(JSON.parse(record.output ?? 'null')).toMatch(/^caught: /);
  });
});

describe('replay determinism', () => {
  it('fails the orchestration with a non-determinism error when replay schedules a different action', async () => {
    const id = await startId('nonDeterministic');
    await waitFor(h, () => h.store.getHistory(id).some((e) => e.EventType === 5));
    features.flipper.value = 'processItem';
    try {
      expect((await post(`instances/${id}/raiseEvent/go`, true)).status).toBe(202);
      const record = await waitForStatus(h, id, ['Completed', 'Failed']);
      expect(record.status).toBe('Failed');
      expect(JSON.parse(record.output ?? 'null')).toMatch(/^Non-deterministic workflow detected: on replay the orchestrator scheduled CallActivity 'processItem' as action #0, but the history records CallActivity 'sayHello'/);
    } finally {
      features.flipper.value = 'sayHello';
    }
  });
});

describe('host.json throttles', () => {
  it('never runs more activities at once than maxConcurrentActivityFunctions', async () => {
    const id = await startId('probeFanOut', 30);
    await waitForStatus(h, id, ['Completed']);
    expect(features.concurrency.max).toBe(3);
  });
});

describe('instance management', () => {
  it('rejects starting an instance id that is still running and replaces a completed one', async () => {
    await startId('approvalWorkflow', undefined, 'fixed-id');
    expect((await start('approvalWorkflow', undefined, 'fixed-id')).status).toBe(409);
    expect((await post('instances/fixed-id/terminate?reason=stop')).status).toBe(202);
    const terminated = await waitForStatus(h, 'fixed-id', ['Terminated']);
    expect(terminated.output).toBe(JSON.stringify('stop'));
    expect((await post('instances/fixed-id/terminate?reason=again')).status).toBe(410);
    await startId('helloSequence', undefined, 'fixed-id');
    const replaced = await waitForStatus(h, 'fixed-id', ['Completed']);
    expect(replaced.name).toBe('helloSequence');
  });

  it('holds events while suspended and delivers them after resume', async () => {
    const id = await startId('approvalWorkflow');
    await waitFor(h, () => h.store.getHistory(id).some((e) => e.EventType === 5));
    expect((await post(`instances/${id}/suspend?reason=pause`)).status).toBe(202);
    await waitForStatus(h, id, ['Suspended']);
    expect((await post(`instances/${id}/raiseEvent/Approval`, { approved: true })).status).toBe(202);
    await h.host.whenIdle();
    expect(h.store.getInstance(id)?.status).toBe('Suspended');
    const suspended = await fetch(rpc(`instances/${id}`));
    expect(suspended.status).toBe(202);
    expect((await post(`instances/${id}/resume?reason=go`)).status).toBe(202);
    const record = await waitForStatus(h, id, ['Completed']);
    expect(record.output).toBe(JSON.stringify('approved'));
  });

  it('rewinds a failed instance so the failed activity runs again', async () => {
    const id = await startId('failing');
    const failed = await waitForStatus(h, id, ['Failed']);
    expect(JSON.parse(failed.output ?? 'null')).toMatch(/^Orchestrator function 'failing' failed: flaky failure 1 of 1/);
    expect((await post(`instances/${id}/rewind?reason=retry`)).status).toBe(202);
    const record = await waitForStatus(h, id, ['Completed']);
    expect(record.output).toBe(JSON.stringify('recovered'));
  });

  it('shows history on request, lists with filters and continuation tokens, and purges', async () => {
    const ids = [await startId('helloSequence', undefined, 'page-1'), await startId('helloSequence', undefined, 'page-2'), await startId('helloSequence', undefined, 'page-3')];
    for (const id of ids) await waitForStatus(h, id, ['Completed']);
    const detailed = (await (await fetch(rpc('instances/page-1?showHistory=true&showHistoryOutput=true'))).json()) as { historyEvents: Array<Record<string, unknown>> };
    expect(detailed.historyEvents.map((e) => e['EventType'])).toEqual(['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted']);
    expect(detailed.historyEvents[1]).toMatchObject({ FunctionName: 'sayHello', Result: 'Hello, Tokyo' });
    const seen: string[] = [];
    let token = '';
    for (let page = 0; page < 5; page++) {
      const response = await fetch(rpc('instances/?instanceIdPrefix=page-&top=2&runtimeStatus=Completed'), { headers: token ? { 'x-ms-continuation-token': token } : {} });
      expect(response.status).toBe(200);
      seen.push(...((await response.json()) as Array<{ instanceId: string }>).map((s) => s.instanceId));
      token = response.headers.get('x-ms-continuation-token') ?? '';
      if (token === '') break;
    }
    expect(seen).toEqual(['page-1', 'page-2', 'page-3']);
    const purged = await fetch(rpc('instances/page-1'), { method: 'DELETE' });
    expect(await purged.json()).toEqual({ instancesDeleted: 1 });
    expect((await fetch(rpc('instances/page-1'))).status).toBe(404);
    expect((await fetch(rpc('instances/page-1'), { method: 'DELETE' })).status).toBe(404);
  });

  it('waits for completion when started with timeout and pollingInterval, answering 200 with the output', async () => {
    const response = await fetch(rpc('orchestrators/helloSequence?timeout=10&pollingInterval=0.02'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '""' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(['Hello, Tokyo', 'Hello, Seattle', 'Hello, Cairo']);
  });

  it('restarts a completed instance with its input, under a new id or the same one', async () => {
    const id = await startId('fanOutFanIn', { count: 2 }, 'restart-me');
    const original = await waitForStatus(h, id, ['Completed']);
    const fresh = await post(`instances/${id}/restart`);
    expect(fresh.status).toBe(202);
    const freshId = ((await fresh.json()) as { id: string }).id;
    expect(freshId).not.toBe(id);
    const restarted = await waitForStatus(h, freshId, ['Completed']);
    expect([restarted.input, restarted.output]).toEqual([JSON.stringify({ count: 2 }), '6']);
    const same = await post(`instances/${id}/restart?restartWithNewInstanceId=false`);
    expect(((await same.json()) as { id: string }).id).toBe(id);
    const again = await waitForStatus(h, id, ['Completed']);
    expect(again.executionId).not.toBe(original.executionId);
    expect(again.output).toBe('6');
  });

  it('rejects invalid instance ids and unknown orchestrators with 400', async () => {
    expect((await start('helloSequence', undefined, '@bad')).status).toBe(400);
    expect((await start('noSuchOrchestrator')).status).toBe(400);
  });
});
