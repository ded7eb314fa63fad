import { createServer, type AddressInfo } from 'node:net';
import { createOrUpdate, preview } from '../../../bicep/handler/operations';

let config = '';

/** A loopback port that was free a moment ago and has nothing listening now (the app is "down"). */
beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  config = JSON.stringify({ endpoint: `http://127.0.0.1:${port}`, functionKey: 'not-a-real-key-0123456789' });
});
const spec = (type: string, properties: unknown, cfg?: string) => ({ config: cfg ?? config, type, apiVersion: '2026-11-01', properties: JSON.stringify(properties) });

describe('Bicep extension handler: validation before any call', () => {
  it('previews a valid semaphore without calling the app, its name taken as the key', async () => {
    const response = await preview(spec('Sluice/semaphores', { name: 'target:warehouse', capacity: 4 }));
    expect(response.errorData).toBeUndefined();
    expect(JSON.parse(response.resource?.properties ?? '{}')).toEqual({ name: 'target:warehouse', capacity: 4, status: 'preview' });
    expect(JSON.parse(response.resource?.identifiers ?? '{}')).toEqual({ name: 'target:warehouse' });
  });

  it("answers ErrorData naming capacity for capacity: 'four' (Bicep only warns about it)", async () => {
    const response = await createOrUpdate(spec('Sluice/semaphores', { name: 'target:warehouse', capacity: 'four' }));
    expect(response.errorData?.error).toMatchObject({ code: 'SluiceInvalidProperty', target: 'capacity' });
    expect(response.resource).toBeUndefined();
  });

  it('names the configuration field and never echoes the function key', async () => {
    const response = await createOrUpdate(spec('Sluice/streamPolicies', { name: 'crm' }, JSON.stringify({ endpoint: 'ftp://x', functionKey: 'not-a-real-key-0123456789' })));
    expect(response.errorData?.error).toMatchObject({ code: 'InvalidConfiguration', target: 'config.endpoint' });
    expect(JSON.stringify(response)).not.toContain('not-a-real-key');
  });

  it('refuses an unknown resource type, naming type', async () => {
    const response = await preview(spec('Sluice/widgets', { name: 'x' }));
    expect(response.errorData?.error).toMatchObject({ code: 'UnknownResourceType', target: 'type' });
  });

  it('reports an unreachable app as ErrorData naming config.endpoint, within the configured timeout', async () => {
    const response = await createOrUpdate(spec('Sluice/streamPolicies', { name: 'crm' }));
    expect(response.errorData?.error).toMatchObject({ code: 'SluiceUnreachable', target: 'config.endpoint' });
    expect(JSON.stringify(response)).not.toContain('not-a-real-key');
  });
});
