import { sourceSchema } from '../../../core/config';
import { formatBound, httpReaderConfig, type HttpSource } from '../../../functions/http-window-source';

const httpSource = (input: Record<string, unknown>): HttpSource => sourceSchema.parse({ kind: 'http', url: 'https://api.example.test/changes', ...input }) as HttpSource;

describe('HTTP window source configuration', () => {
  it('maps the pipeline source onto the reader: items path, paging, stream parameter and headers from app settings', () => {
    const source = httpSource({ itemsPath: 'data.rows', streamParam: 'partition', paging: { kind: 'page', pageSize: 50 }, headerSettings: { authorization: 'CRM_TOKEN' }, timeoutInMs: 5_000 });
    expect(httpReaderConfig('crm', 'UK_Account', source, { CRM_TOKEN: 'Bearer x' })).toEqual({
      url: 'https://api.example.test/changes',
      recordsPath: 'data.rows',
      paging: { kind: 'page', pageParam: 'page', sizeParam: 'pageSize', pageSize: 50 },
      sinceParam: 'since',
      untilParam: 'until',
      query: { partition: 'UK_Account' },
      headers: { authorization: 'Bearer x' },
      timeoutInMs: 5_000,
    });
  });

  it('defaults to one request without a stream parameter, and takes the cursor settings of cursor paging', () => {
    expect(httpReaderConfig('p', 'S', httpSource({}), {})).toMatchObject({ recordsPath: 'items', paging: { kind: 'none' }, query: {}, headers: {} });
    expect(httpReaderConfig('p', 'S', httpSource({ paging: { kind: 'cursor' } }), {}).paging).toEqual({ kind: 'cursor', cursorParam: 'cursor', nextCursorPath: 'nextCursor' });
  });

  it('refuses a header whose app setting is unset or empty, naming the setting', () => {
    const source = httpSource({ headerSettings: { 'x-api-key': 'CRM_KEY' } });
    for (const env of [{}, { CRM_KEY: '' }]) {
      expect(() => httpReaderConfig('crm', 'S', source, env)).toThrow(expect.objectContaining({
        code: 'ConfigInvalid', message: expect.stringContaining('reads app setting CRM_KEY, which is not set. To fix: set CRM_KEY') }));
    }
  });

  it('writes window bounds as ISO-8601 UTC or epoch milliseconds', () => {
    expect(formatBound(1_790_000_000_123, 'iso')).toBe('2026-09-21T14:13:20.123Z');
    expect(formatBound(1_790_000_000_123, 'epochMs')).toBe('1790000000123');
  });
});
