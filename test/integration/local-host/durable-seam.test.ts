import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DurableHost, FunctionInvoker } from '../../../local/host/contracts';
import { startHost, type DurableHostContext, type RunningHost } from '../../../local/host/host';

const durableApp = path.resolve(__dirname, '../../apps/durable');
const webhookPrefix = '/runtime/webhooks/durabletask/';

/** The smallest Durable half that answers startNew: enough to prove the seam, not an engine. */
function recordingDurableHost(context: DurableHostContext, started: string[]): DurableHost {
  const base = `${context.baseUrl}${webhookPrefix.slice(0, -1)}`;
  const query = 'taskHub=TestHub&connection=Storage';
  return {
    getDurableClientPayload: () => ({
      taskHubName: 'TestHub',
      creationUrls: {
        createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]`,
        createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}`,
      },
      managementUrls: {
        id: 'INSTANCEID',
        statusQueryGetUri: `${base}/instances/INSTANCEID?${query}`,
        sendEventPostUri: `${base}/instances/INSTANCEID/raiseEvent/{eventName}?${query}`,
        terminatePostUri: `${base}/instances/INSTANCEID/terminate?reason={text}&${query}`,
        rewindPostUri: `${base}/instances/INSTANCEID/rewind?reason={text}&${query}`,
        purgeHistoryDeleteUri: `${base}/instances/INSTANCEID?${query}`,
        restartPostUri: `${base}/instances/INSTANCEID/restart?${query}`,
        suspendPostUri: `${base}/instances/INSTANCEID/suspend?reason={text}&${query}`,
        resumePostUri: `${base}/instances/INSTANCEID/resume?reason={text}&${query}`,
      },
      baseUrl: base,
      requiredQueryStringParameters: '',
      rpcBaseUrl: `${context.baseUrl}${webhookPrefix}`,
    }),
    handlesRequest: (request: IncomingMessage) => (request.url ?? '').startsWith(webhookPrefix),
    handleRequest: async (request: IncomingMessage, response: ServerResponse) => {
      const name = /orchestrators\/([^/?]+)/.exec(request.url ?? '')?.[1] ?? '';
      started.push(`${request.method} ${name}`);
      const body = JSON.stringify({ id: 'instance-1' });
      response.writeHead(202, { 'content-type': 'application/json' }).end(body);
    },
    start: async () => undefined,
    stop: async () => undefined,
  };
}

describe('seam with the Durable half, with the real durable-functions library', () => {
  let dataDir: string;
  let host: RunningHost;
  let invoker: FunctionInvoker;
  const started: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-host-durable-seam-'));
    host = await startHost({
      appDir: durableApp,
      port: 0,
      dataDir,
      env: {},
      logSink: () => undefined,
      durable: (context) => {
        invoker = context.invoker;
        return recordingDurableHost(context, started);
      },
    });
  });
  afterAll(async () => {
    await host?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives df.app.client functions a working DurableClient whose calls reach the mounted management API', async () => {
    const response = await fetch(`${host.url}/api/start/chain`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ instanceId: 'instance-1', taskHubName: 'TestHub' });
    expect(started).toEqual(['POST chain']);
  });

  it('lists durable triggers with the library-generated binding names for the Durable half', () => {
    const byName = Object.fromEntries(invoker.listFunctions().map((fn) => [fn.name, fn]));
    expect(byName.chain).toMatchObject({ triggerType: 'orchestrationTrigger', triggerBindingName: 'orchestrationTrigger56e21d4b3e' });
    expect(byName.sayHello).toMatchObject({ triggerType: 'activityTrigger', triggerBindingName: 'activityTrigger7996c743ef' });
  });

  it('invokes an activity with JSON input and returns its result as returnValue', async () => {
    const output = await invoker.invoke('sayHello', { inputData: [{ name: 'activityTrigger7996c743ef', data: { json: '"Tokyo"' } }] });
    expect(output.returnValue).toEqual({ string: 'Hello, Tokyo' });
  });

  it('invokes an orchestration episode and returns the orchestrator state with its actions', async () => {
    const now = '2026-01-01T00:00:00.000Z';
    const payload = {
      history: [
        { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: now },
        {
          EventType: 0,
          EventId: -1,
          IsPlayed: false,
          Timestamp: now,
          Name: 'chain',
          Input: '"Tokyo"',
          OrchestrationInstance: { InstanceId: 'instance-1', ExecutionId: 'e1' },
        },
      ],
      input: 'Tokyo',
      instanceId: 'instance-1',
      isReplaying: false,
      parentInstanceId: null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 3,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    const output = await invoker.invoke('chain', {
      inputData: [{ name: 'orchestrationTrigger56e21d4b3e', data: { string: JSON.stringify(payload) } }],
    });
    const state = JSON.parse(output.returnValue?.json ?? 'null') as { isDone: boolean; actions: Array<Array<{ functionName: string; input: unknown }>> };
    expect(state.isDone).toBe(false);
    expect(state.actions).toEqual([[expect.objectContaining({ actionType: 0, functionName: 'sayHello', input: '"Tokyo"' })]]);
  });
});
