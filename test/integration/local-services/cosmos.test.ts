import { CosmosClient, ErrorResponse } from '@azure/cosmos';
import { useLocalServices } from '../../support/local-services';

const services = useLocalServices();

function client(): CosmosClient {
  const { endpoint, key, connectionPolicy } = services().cosmos;
  return new CosmosClient({ endpoint, key, connectionPolicy });
}

describe('Cosmos DB stand-in', () => {
  it('creates a database and container, upserts and queries documents with @azure/cosmos', async () => {
    const { database } = await client().databases.createIfNotExists({ id: 'ledger' });
    const { container } = await database.containers.createIfNotExists({ id: 'runs', partitionKey: { paths: ['/stream'] } });
    for (let window = 1; window <= 3; window++) {
      await container.items.upsert({ id: `UK_Account-${window}`, stream: 'UK_Account', window, rows: window * 10 });
    }
    await container.items.upsert({ id: 'FR_Account-1', stream: 'FR_Account', window: 1, rows: 5 });
    await container.items.upsert({ id: 'UK_Account-2', stream: 'UK_Account', window: 2, rows: 99 });

    const { resources } = await container.items
      .query<{ window: number; rows: number }>({
        query: 'SELECT c.window, c.rows FROM c WHERE c.stream = @stream ORDER BY c.window DESC',
        parameters: [{ name: '@stream', value: 'UK_Account' }],
      })
      .fetchAll();
    expect(resources).toEqual([{ window: 3, rows: 30 }, { window: 2, rows: 99 }, { window: 1, rows: 10 }]);
  });

  it('rejects a replace with a stale IfMatch etag with 412', async () => {
    const { database } = await client().databases.createIfNotExists({ id: 'ledger' });
    const { container } = await database.containers.createIfNotExists({ id: 'etags', partitionKey: { paths: ['/stream'] } });
    const created = await container.items.upsert({ id: 'w1', stream: 'UK_Account', state: 'running' });
    const staleEtag = created.etag as string;
    const item = container.item('w1', 'UK_Account');
    const updated = await item.replace({ id: 'w1', stream: 'UK_Account', state: 'done' },
      { accessCondition: { type: 'IfMatch', condition: staleEtag } });
    expect(updated.etag).not.toBe(staleEtag);

    const stale = item.replace({ id: 'w1', stream: 'UK_Account', state: 'overwritten' },
      { accessCondition: { type: 'IfMatch', condition: staleEtag } });
    await expect(stale).rejects.toBeInstanceOf(ErrorResponse);
    await expect(stale).rejects.toMatchObject({ code: 412 });
    const { resource } = await item.read<{ state: string }>();
    expect(resource?.state).toBe('done');
  });
});
