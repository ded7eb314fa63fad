import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { IngestBatchInput } from '../../../orchestrators/ingest-batch';
import { loadApp } from '../../support/durable-app';
import { orchestrationStatus, startDurableRpcStub, type DurableRpcStub, type Responder } from '../../support/durable-rpc-stub';

// The app registers through the Functions worker's core module; loadApp provides it before ingress loads.
loadApp();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startIngestOnce } = require('../../../functions/ingress') as typeof import('../../../functions/ingress');

const input = { appends: [], startRetry: { firstRetryIntervalInMs: 1, maxNumberOfAttempts: 1 } } as unknown as IngestBatchInput;
const id = 'ingest:UK_A:m1';
let stub: DurableRpcStub | undefined;

async function clientFor(respond: Responder): Promise<df.DurableClient> {
  stub = await startDurableRpcStub(respond);
  const binding = df.input.durableClient();
  const context = new InvocationContext({ options: { trigger: { type: 'serviceBusTrigger', name: 'm' }, extraInputs: [binding], extraOutputs: [] } });
  context.extraInputs.set(binding, stub.clientPayload);
  return df.getClient(context);
}

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe('ingress start of ingestBatch', () => {
  it('starts the instance when its id is unknown', async () => {
    const client = await clientFor((r) => (r.method === 'GET' ? { status: 404 } : { status: 202, body: { id } }));
    await expect(startIngestOnce(client, id, input)).resolves.toBe(true);
    expect(stub!.requests.map((r) => [r.method, r.path.split('?')[0]])).toEqual([
      ['GET', `/durabletask/instances/${id}`],
      ['POST', `/durabletask/orchestrators/ingestBatch/${id}`],
    ]);
  });

  it('starts nothing for a redelivered batch whose instance already completed', async () => {
    const client = await clientFor(() => ({ status: 200, body: orchestrationStatus(id, 'Completed') }));
    await expect(startIngestOnce(client, id, input)).resolves.toBe(false);
    expect(stub!.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('fails the batch (to be redelivered) when the status cannot be read, instead of risking a second start', async () => {
    const client = await clientFor(() => ({ status: 500, body: { message: 'storage unavailable' } }));
    await expect(startIngestOnce(client, id, input)).rejects.toThrow();
    expect(stub!.requests.map((r) => r.method)).toEqual(['GET']);
  });
});
