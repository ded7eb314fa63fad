import { blobGlobToRegExp, globLiteralPrefix, matchesBlobGlob, parseConfig, type SluiceConfigInput } from '../../../core/config';
import { isSluiceError } from '../../../core/errors';

const pipeline = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: 'orders', streams: ['orders'], source, target: { kind: 'postgres', table: 'orders' }, targetSemaphore: 'pg',
  keyColumns: ['id'], versionColumn: 'version', columns: { id: 'bigint', version: 'bigint' }, format: { kind: 'csv' }, ...extra,
});
const config = (p: Record<string, unknown>): SluiceConfigInput => ({ semaphores: [{ kind: 'target', name: 'pg', capacity: 2 }], pipelines: [p] } as SluiceConfigInput);

function errorOf(input: SluiceConfigInput): string {
  try {
    parseConfig(input);
  } catch (error) {
    if (isSluiceError(error) && error.code === 'ConfigInvalid') return error.message;
    throw error;
  }
  throw new Error('expected ConfigInvalid');
}

describe('blob globs', () => {
  it('match "*" within one path segment and "**" across segments, everything else literally', () => {
    expect(matchesBlobGlob('orders/*.csv', 'orders/day.csv')).toBe(true);
    expect(matchesBlobGlob('orders/*.csv', 'orders/2026/day.csv')).toBe(false);
    expect(matchesBlobGlob('orders/**.csv', 'orders/2026/day.csv')).toBe(true);
    expect(matchesBlobGlob('orders/*.csv', 'orders/dayXcsv')).toBe(false);
    expect(matchesBlobGlob('a+b/(x)*', 'a+b/(x)1')).toBe(true);
    expect(blobGlobToRegExp('x/**/y*').test('x/a/b/yz')).toBe(true);
    expect(globLiteralPrefix('orders/2026-*/*.csv')).toBe('orders/2026-');
  });
});

describe('source.loadOnArrival', () => {
  it('is accepted on a loadable blob pipeline whose glob lies under its prefix', () => {
    const parsed = parseConfig(config(pipeline({ kind: 'blob', prefix: 'orders/', loadOnArrival: 'orders/*.csv' })));
    expect(parsed.pipelines[0]?.source).toEqual({ kind: 'blob', prefix: 'orders/', loadOnArrival: 'orders/*.csv' });
  });

  it('names the field when the glob cannot match the pipeline\'s files or the pipeline cannot be loaded', () => {
    expect(errorOf(config(pipeline({ kind: 'blob', prefix: 'orders/', loadOnArrival: 'sales/*.csv' }))))
      .toContain('"pipelines[0].source.loadOnArrival": expected a glob under the pipeline\'s source.prefix "orders/"');
    expect(errorOf(config(pipeline({ kind: 'blob', loadOnArrival: 'orders/*.csv' }, { versionColumn: undefined }))))
      .toContain('"pipelines[0].source.loadOnArrival": expected a pipeline with a versionColumn');
    expect(errorOf(config(pipeline({ kind: 'blob', loadOnArrival: 'orders/*.csv' }, { format: { kind: 'csv', header: false } }))))
      .toContain('"pipelines[0].source.loadOnArrival": expected a pipeline with format.header true');
    expect(errorOf(config(pipeline({ kind: 'blob', loadOnArrival: '/orders/*.csv' }))))
      .toContain('"pipelines[0].source.loadOnArrival": expected a blob name glob');
    expect(errorOf(config(pipeline({ kind: 'blob', loadOnArrival: 'orders/*.csv' }, { target: { kind: 'cosmos', database: 'db', container: 'orders' } }))))
      .toContain('"pipelines[0].source.loadOnArrival": expected a pipeline with a postgres target');
  });
});
