import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHost } from '../../../local/host/host';
import type { HostLogEntry } from '../../../local/host/log';
import type { ServiceBusTriggerRequest, ServiceBusTriggerSource } from '../../../local/host/triggers/service-bus-source';

const serviceBusApp = path.resolve(__dirname, '../../apps/servicebus');

describe('Service Bus trigger wiring', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-host-sb-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts without a source and says that Service Bus triggers are not started', async () => {
    const logs: HostLogEntry[] = [];
    const host = await startHost({ appDir: serviceBusApp, port: 0, dataDir, env: {}, logSink: (entry) => logs.push(entry) });
    await host.stop();
    expect(logs.find((entry) => entry.level === 'warning' && entry.message.includes('Service Bus triggers are not started'))?.properties).toMatchObject({
      functions: ['onMessages'],
    });
  });

  it('hands a source the resolved binding and host.json settings, and an invoke that runs the function', async () => {
    const requests: ServiceBusTriggerRequest[] = [];
    let closed = 0;
    const source: ServiceBusTriggerSource = {
      subscribe: async (request) => {
        requests.push(request);
        return { close: async () => void (closed += 1) };
      },
    };
    const host = await startHost({ appDir: serviceBusApp, port: 0, dataDir, env: {}, logSink: () => undefined, serviceBus: source });
    try {
      expect(requests).toHaveLength(1);
      const [request] = requests as [ServiceBusTriggerRequest];
      expect(request.functionName).toBe('onMessages');
      expect(request.binding).toMatchObject({ type: 'serviceBusTrigger', queueName: 'ingress', isSessionsEnabled: true, cardinality: 'many' });
      expect(request.hostSettings).toEqual({ maxConcurrentSessions: 4, maxMessageBatchSize: 50 });
      const output = await request.invoke({
        inputData: [{ name: request.binding.name, data: { collectionString: { string: ['{"id":1}', '{"id":2}'] } } }],
        triggerMetadata: { SessionId: { string: 'UK_Account' } },
      });
      expect(JSON.parse(output.returnValue?.json ?? 'null')).toEqual({ count: 2, first: { id: 1 }, sessionId: 'UK_Account' });
    } finally {
      await host.stop();
    }
    expect(closed).toBe(1);
  });
});
