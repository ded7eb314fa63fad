import type { Container, Database } from '@azure/cosmos';
import { createCosmosClient, ensureLedgerContainer, guardedBulkUpsert, Ledger } from '../../../connectors/cosmos';
import type { Reject, SourceRecord } from '../../../connectors/records';
import { useLocalServices } from '../../support/local-services';

const services = useLocalServices();

async function database(): Promise<Database> {
  const { endpoint, key } = services().cosmos;
  const client = createCosmosClient({ endpoint, key, endpointDiscovery: false });
  return (await client.databases.createIfNotExists({ id: 'sluice' })).database;
}

async function salesContainer(id: string): Promise<Container> {
  return (await (await database()).containers.createIfNotExists({ id, partitionKey: { paths: ['/region'] } })).container;
}

function docs(ids: number[], version: number): SourceRecord[] {
  return ids.map((n) => ({ line: n, raw: '', values: { id: `o-${n}`, region: n % 2 ? 'UK' : 'FR', version, amount: n * version } }));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const options = { partitionKeyField: 'region', versionField: 'version', onReject: () => undefined };

describe('Cosmos DB connector', () => {
  it('records ledger entries per window and load, lists a stream newest first, and finds recent failures', async () => {
    const ledger = new Ledger(await ensureLedgerContainer(await database()));
    for (let w = 1; w <= 3; w++) {
      await ledger.upsertEntry({ stream: 'UK_Account', kind: 'window', ref: `w${w}`, outcome: 'succeeded',
        startedAt: `2026-11-23T10:0${w}:00Z`, finishedAt: `2026-11-23T10:0${w}:30Z`,
        window: { from: `2026-11-23T10:0${w - 1}:00Z`, until: `2026-11-23T10:0${w}:00Z`, events: 5 },
        counts: { rows: 5, inserted: 5 }, durations: { loadInMs: 12, totalInMs: 30 } });
    }
    await ledger.upsertEntry({ stream: 'UK_Account', kind: 'window', ref: 'w3', outcome: 'failed', startedAt: '2026-11-23T10:03:00Z',
      finishedAt: '2026-11-23T10:03:40Z', error: { code: 'SinkFailed', message: 'PostgreSQL failed' } });
    await ledger.upsertEntry({ stream: 'FR_Sales', kind: 'load', ref: 'load-1', outcome: 'failed', startedAt: '2026-11-23T09:00:00Z',
      finishedAt: '2026-11-23T09:10:00Z', files: ['sales/day.csv'], error: { code: 'RejectThresholdExceeded', message: 'too many' } });

    const list = await ledger.listByStream('UK_Account', { limit: 2 });
    expect(list.map((e) => [e.id, e.outcome])).toEqual([['window:w3', 'failed'], ['window:w2', 'succeeded']]);
    expect(list[1]).toEqual({ id: 'window:w2', stream: 'UK_Account', kind: 'window', ref: 'w2', outcome: 'succeeded',
      startedAt: '2026-11-23T10:02:00Z', finishedAt: '2026-11-23T10:02:30Z',
      window: { from: '2026-11-23T10:01:00Z', until: '2026-11-23T10:02:00Z', events: 5 },
      counts: { rows: 5, inserted: 5 }, durations: { loadInMs: 12, totalInMs: 30 } });
    const failures = await ledger.listRecentFailures('2026-11-23T09:05:00Z');
    expect(failures.map((e) => e.id)).toEqual(['window:w3', 'load:load-1']);
    expect(await ledger.getEntry('FR_Sales', 'load', 'load-1')).toMatchObject({ files: ['sales/day.csv'] });
    expect(await ledger.getEntry('FR_Sales', 'load', 'nope')).toBeUndefined();
    await expect(ledger.upsertEntry({ stream: 'x', kind: 'window', ref: 'a/b', outcome: 'running', startedAt: 'now' }))
      .rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('upserts in bulk with the version guard: inserts, updates newer, skips older and identical data', async () => {
    const container = await salesContainer('orders');
    expect(await guardedBulkUpsert(container, docs(range(1, 100), 2), options)).toEqual({ inserted: 100, updated: 0, skippedByGuard: 0, retried: 0 });
    expect(await guardedBulkUpsert(container, docs(range(51, 150), 3), options)).toEqual({ inserted: 50, updated: 50, skippedByGuard: 0, retried: 0 });
    expect(await guardedBulkUpsert(container, docs(range(1, 150), 1), options)).toEqual({ inserted: 0, updated: 0, skippedByGuard: 150, retried: 0 });
    expect(await guardedBulkUpsert(container, docs(range(51, 150), 3), options)).toEqual({ inserted: 0, updated: 0, skippedByGuard: 100, retried: 0 });
    const { resources } = await container.items.query<{ version: number; n: number }>(
      'SELECT VALUE COUNT(1) FROM c WHERE c.version = 3').fetchAll();
    expect(resources).toEqual([100]);
  });

  it('keeps the newest version when concurrent writers race on the same documents', async () => {
    const container = await salesContainer('race');
    const ids = range(1, 60);
    const versions = [3, 1, 5, 2, 4];
    const results = await Promise.all(versions.map((v) => guardedBulkUpsert(container, docs(ids, v), options)));
    const total = results.reduce((sum, r) => sum + r.inserted + r.updated + r.skippedByGuard, 0);
    expect(total).toBeGreaterThanOrEqual(ids.length * versions.length);
    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(ids.length);
    // All writers read "absent" before any create lands, so the losers' creates fail 409 and are decided again.
    expect(results.reduce((sum, r) => sum + r.retried, 0)).toBeGreaterThan(0);
    const { resources } = await container.items.query<{ id: string; version: number; amount: number }>(
      'SELECT c.id, c.version, c.amount FROM c').fetchAll();
    expect(resources).toHaveLength(ids.length);
    for (const doc of resources) expect(doc).toMatchObject({ version: 5, amount: Number(doc.id.slice(2)) * 5 });
  });

  it('rejects documents without id, partition key or version, and keeps the newest duplicate of a batch', async () => {
    const container = await salesContainer('rejects');
    const rejects: Reject[] = [];
    const batch: SourceRecord[] = [
      { line: 1, raw: 'a', values: { id: 'a', region: 'UK', version: 1, v: 'old' } },
      { line: 2, raw: 'a2', values: { id: 'a', region: 'UK', version: 2, v: 'new' } },
      { line: 3, raw: 'b', values: { id: 'b', version: 1 } },
      { line: 4, raw: 'c', values: { id: 'c/1', region: 'UK', version: 1 } },
      { line: 5, raw: 'd', values: { id: 'd', region: 'UK' } },
    ];
    expect(await guardedBulkUpsert(container, batch, { ...options, onReject: (r) => rejects.push(r) }))
      .toEqual({ inserted: 1, updated: 0, skippedByGuard: 0, retried: 0 });
    expect(rejects.map((r) => r.line)).toEqual([3, 4, 5]);
    const { resource } = await container.item('a', 'UK').read();
    expect(resource).toMatchObject({ version: 2, v: 'new' });
  });
});
