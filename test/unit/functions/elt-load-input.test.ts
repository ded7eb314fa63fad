import { parseConfig } from '../../../core/config';
import { buildLoadInput, loadRequestSchema } from '../../../functions/elt/load-input';

const serviceUrl = 'https://acct.blob.core.windows.net';
const pipeline = {
  name: 'orders', streams: ['orders'], source: { kind: 'blob', container: 'drops' },
  target: { kind: 'postgres', schema: 'lake', table: 'orders' }, targetSemaphore: 'pg',
  keyColumns: ['id'], versionColumn: 'version', columns: { id: 'bigint', version: 'integer', note: 'text' },
  format: { kind: 'csv', delimiter: ';' }, maxRejectRatio: 0.01, maxTargetPermits: 3,
};
const config = (overrides: Record<string, unknown> = {}) =>
  parseConfig({ semaphores: [{ kind: 'target', name: 'pg', capacity: 4, shards: 2, leaseInMs: 900_000 }], pipelines: [{ ...pipeline, ...overrides }] });
const request = (body: unknown) => loadRequestSchema.parse(body);

describe('ELT load input from a POST /api/loads body and the configuration', () => {
  it('resolves table, column types, format, semaphore and the pipeline container for a blob name', () => {
    expect(buildLoadInput(request({ pipeline: 'orders', blob: 'a/b.csv' }), config(), 'load-1', serviceUrl)).toEqual({
      loadId: 'load-1', pipeline: 'orders', container: 'drops', rejectsContainer: 'rejects', selection: { blob: 'a/b.csv' },
      format: { kind: 'csv', gzip: false, delimiter: ';', quote: '"', newlinesInQuotes: true },
      table: { schema: 'lake', table: 'orders', keyColumns: ['id'], versionColumn: 'version', columns: [{ name: 'id', type: 'bigint' }, { name: 'version', type: 'int' }, { name: 'note', type: 'text' }] },
      targetChunkBytes: 64 * 1024 * 1024, maxRejectRatio: 0.01,
      target: { name: 'target:pg', capacity: 4, shards: 2, leaseInMs: 900_000 }, maxPermits: 3, permitRecheckInMs: 30_000,
    });
  });

  it('splits a blob URL of this account into container and (decoded) blob name, and takes a prefix as given', () => {
    const byUrl = buildLoadInput(request({ pipeline: 'orders', blobUrl: `${serviceUrl}/landing/day%201.csv?sv=x` }), config(), 'l', serviceUrl);
    expect([byUrl.container, byUrl.selection]).toEqual(['landing', { blob: 'day 1.csv' }]);
    const byPrefix = buildLoadInput(request({ pipeline: 'orders', container: 'c', prefix: '2026/' }), config(), 'l', serviceUrl);
    expect([byPrefix.container, byPrefix.selection]).toEqual(['c', { prefix: '2026/' }]);
  });

  it('refuses a URL of another account, an unknown pipeline, no version column and unsupported types', () => {
    expect(() => buildLoadInput(request({ pipeline: 'orders', blobUrl: 'https://other.blob.core.windows.net/landing/x.csv' }), config(), 'l', serviceUrl)).toThrow(/not a blob of this app's storage account/);
    expect(() => buildLoadInput(request({ pipeline: 'nope', blob: 'x' }), config(), 'l', serviceUrl)).toThrow(/Pipeline "nope" does not exist/);
    expect(() => buildLoadInput(request({ pipeline: 'orders', blob: 'x' }), config({ versionColumn: undefined }), 'l', serviceUrl)).toThrow(/has no versionColumn/);
    expect(() => buildLoadInput(request({ pipeline: 'orders', blob: 'x' }), config({ columns: { id: 'bigint', version: 'bigint', day: 'date' } }), 'l', serviceUrl)).toThrow(/column "day" has type date/);
  });

  it('rejects a body with neither blob, blobUrl nor prefix', () => {
    expect(loadRequestSchema.safeParse({ pipeline: 'orders' }).success).toBe(false);
    expect(loadRequestSchema.safeParse({ pipeline: 'orders', blob: 'x', extra: 1 }).success).toBe(false);
  });
});
