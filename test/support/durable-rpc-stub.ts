/**
 * A loopback HTTP endpoint speaking the Durable management API the real `DurableClient` calls through
 * `rpcBaseUrl` (durable-host.md section 4): the test decides each answer and sees each request. It lets the
 * activities run with the real Durable client until the local Durable host is available to integration tests.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

export type Responder = (request: RecordedRequest) => { status: number; body?: unknown };

export interface DurableRpcStub {
  requests: RecordedRequest[];
  /** The `durableClient` binding payload pointing at this endpoint. */
  clientPayload: unknown;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startDurableRpcStub(respond: Responder): Promise<DurableRpcStub> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const recorded = { method: req.method ?? '', path: decodeURIComponent(req.url ?? ''), body };
      requests.push(recorded);
      const answer = respond(recorded);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}/runtime/webhooks/durabletask`;
  const query = 'taskHub=TestHubName&connection=Storage&code=XYZ';
  return {
    requests,
    clientPayload: {
      taskHubName: 'TestHubName',
      creationUrls: {
        createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?code=XYZ`,
        createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=XYZ`,
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
      requiredQueryStringParameters: 'code=XYZ',
      rpcBaseUrl: `http://127.0.0.1:${port}/durabletask/`,
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export function orchestrationStatus(instanceId: string, runtimeStatus: string): unknown {
  return { name: 'streamWorker', instanceId, runtimeStatus, input: null, customStatus: null, output: null, createdTime: '2026-11-23T10:00:00Z', lastUpdatedTime: '2026-11-23T10:00:05Z' };
}
