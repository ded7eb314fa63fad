import { parseConfig } from '../../../core/config';
import { buildLoadInput, loadRequestSchema } from '../../../functions/elt/load-input';

const serviceUrl = 'https://acct.blob.core.windows.net';
const base = {
  name: 'orders', streams: ['orders'], source: { kind: 'blob', container: 'drops' },
  target: { kind: 'cosmos', database: 'lake', container: 'orders', partitionKeyPath: '/region' }, targetSemaphore: 'cosmos',
  keyColumns: ['order_id'], versionColumn: 'version', columns: { order_id: 'bigint', version: 'integer', region: 'text', at: 'timestamptz' },
  format: { kind: 'csv' },
};
const notificationTargets = [
  { kind: 'serviceBusQueue', name: 'bus', queueName: 'loads' },
  { kind: 'webhook', name: 'hook', url: 'https://example.test/hook' },
];
const config = (overrides: Record<string, unknown> = {}) => parseConfig({
  semaphores: [{ kind: 'target', name: 'cosmos', capacity: 4 }], notificationTargets, pipelines: [{ ...base, ...overrides }],
});
const build = (overrides: Record<string, unknown> = {}) => buildLoadInput(loadRequestSchema.parse({ pipeline: 'orders', blob: 'a.csv' }), config(overrides), 'load-1', serviceUrl);

describe('ELT load input for Cosmos DB targets, exports and notifications', () => {
  it('resolves a Cosmos DB target into the document shape (id from the key columns, top-level partition key) and no table', () => {
    const input = build();
    expect(input.table).toBeUndefined();
    expect(input.cosmos).toEqual({
      database: 'lake', container: 'orders', partitionKeyPath: '/region', validateBeforeWrite: true,
      shape: { keyColumns: ['order_id'], partitionKeyField: 'region', versionColumn: 'version', columns: { order_id: 'bigint', version: 'integer', region: 'text', at: 'timestamptz' } },
    });
    expect(input.export).toBeUndefined();
    expect(input.notify).toBeUndefined();
    // Nothing to check first when no load can fail on rejects, or when the pipeline opts out.
    expect(build({ maxRejectRatio: 1 }).cosmos?.validateBeforeWrite).toBe(false);
    expect(build({ target: { ...base.target, validateBeforeWrite: false } }).cosmos?.validateBeforeWrite).toBe(false);
  });

  it('refuses, naming the field, a nested partition key path, a non-text partition key column, no version column and an "id" column that is not the key', () => {
    expect(() => build({ target: { ...base.target, partitionKeyPath: '/a/b' } })).toThrow(/target.partitionKeyPath: "\/a\/b" is nested/);
    expect(() => build({ columns: { ...base.columns, region: 'integer' } })).toThrow(/columns.region: the partition key column has type integer/);
    expect(() => build({ versionColumn: undefined, columns: { order_id: 'bigint' } })).toThrow(/versionColumn: is not set/);
    expect(() => build({ columns: { ...base.columns, id: 'text' } })).toThrow(/keyColumns: a column "id" is declared/);
  });

  it('resolves notification targets by name and an export query into the outbox container', () => {
    const input = build({ notify: ['hook', 'bus'], export: { partitionBy: 'rep', query: 'select rep, sum(amount) as total from sales group by rep' } });
    expect(input.notify?.map((t) => t.name)).toEqual(['hook', 'bus']);
    expect(input.notify?.[0]).toMatchObject({ kind: 'webhook', maxRetries: 5, timeoutInMs: 10_000, retryDelayInMs: 500 });
    expect(input.export).toEqual({ outboxContainer: 'outbox', format: 'csv', partitionBy: 'rep', source: { kind: 'query', sql: 'select rep, sum(amount) as total from sales group by rep' } });
  });

  it('validates export settings in the configuration with errors naming the field', () => {
    const issue = (spec: unknown, target: unknown = { kind: 'postgres', table: 'orders' }) => {
      try {
        config({ target, export: spec });
        return 'valid';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(issue({ partitionBy: 'rep' })).toMatch(/pipelines\[0\]\.export\.query.*exactly one of "query" and "aggregate"/s);
    expect(issue({ partitionBy: 'rep', aggregate: { groupBy: ['day'], measures: [{ fn: 'count', as: 'n' }] } })).toMatch(/export\.aggregate\.groupBy.*partitionBy column "rep"/s);
    expect(issue({ partitionBy: 'rep', aggregate: { groupBy: ['rep'], measures: [{ fn: 'sum', as: 's' }] } })).toMatch(/export\.aggregate\.measures\[0\]\.column.*expected a column for "sum"/s);
    expect(issue({ partitionBy: 'rep', aggregate: { groupBy: ['rep'], measures: [{ fn: 'count', as: 'n' }] } }, base.target)).toMatch(/export\.aggregate.*expected a "postgres" target/s);
    expect(issue({ partitionBy: 'rep"; drop', query: 'select 1' })).toMatch(/export\.partitionBy.*SQL identifier/s);
    expect(issue({ partitionBy: 'rep', query: 'select 1; drop table x' })).toMatch(/export\.query.*without ";"/s);
    expect(issue({ partitionBy: 'rep', aggregate: { groupBy: ['rep'], measures: [{ fn: 'count', as: 'n' }] } })).toBe('valid');
  });
});
