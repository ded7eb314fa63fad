import fc from 'fast-check';
import { z } from 'zod';
import {
  findPipeline,
  matchesStreamPattern,
  parseConfig,
  parseConfigJson,
  resolvePolicy,
  sluiceConfigSchema,
  SQL_IDENTIFIER,
  type SluiceConfigInput,
} from '../../../core/config';
import { isSluiceError } from '../../../core/errors';

const valid: SluiceConfigInput = {
  semaphores: [
    { kind: 'source', name: 'crm', capacity: 3 },
    { kind: 'target', name: 'pg', capacity: 4, shards: 2 },
  ],
  streamPolicies: [{ name: 'patient', suspendAfterFailures: 10 }],
  notificationTargets: [{ kind: 'webhook', name: 'ops', url: 'https://example.test/hook' }],
  pipelines: [
    {
      name: 'uk-accounts',
      streams: ['UK_*'],
      source: { kind: 'http', url: 'https://crm.example.test/accounts', paging: { kind: 'cursor' } },
      sourceSemaphore: 'crm',
      target: { kind: 'postgres', table: 'accounts' },
      targetSemaphore: 'pg',
      keyColumns: ['id'],
      versionColumn: 'modified_at',
      columns: { id: 'bigint', modified_at: 'timestamptz', name: 'text' },
      policy: 'patient',
      notify: ['ops'],
    },
    {
      name: 'all-sales',
      streams: ['*_Sales'],
      source: { kind: 'blob', prefix: 'sales/' },
      target: { kind: 'cosmos', database: 'db', container: 'sales' },
      targetSemaphore: 'pg',
      keyColumns: ['id'],
      format: { kind: 'csv', gzip: true },
    },
  ],
};

function errorOf(input: unknown): string {
  try {
    parseConfig(input);
  } catch (error) {
    if (isSluiceError(error) && error.code === 'ConfigInvalid') return error.message;
    throw error;
  }
  throw new Error('expected ConfigInvalid');
}

describe('parseConfig', () => {
  it('returns a typed config with every documented default filled in', () => {
    const config = parseConfig(valid);
    const [uk, sales] = config.pipelines;
    expect(uk?.source).toMatchObject({ kind: 'http', itemsPath: 'items', sinceParam: 'since', timeFormat: 'iso', paging: { kind: 'cursor', cursorParam: 'cursor', nextCursorPath: 'nextCursor' } });
    expect(uk?.target).toEqual({ kind: 'postgres', schema: 'public', table: 'accounts' });
    expect(uk?.format).toEqual({ kind: 'ndjson', gzip: false, header: true, delimiter: ',', quote: '"', newlinesInQuotes: true });
    expect(sales).toMatchObject({ policy: 'default', maxRejectRatio: 0, maxTargetPermits: 4, targetChunkBytes: 64 * 1024 * 1024, notify: [] });
    expect(sales?.target).toEqual({ kind: 'cosmos', database: 'db', container: 'sales', partitionKeyPath: '/id', validateBeforeWrite: true });
    expect(config.semaphores[0]).toEqual({ kind: 'source', name: 'crm', capacity: 3, shards: 1, leaseInMs: 300_000 });
    expect(config.streamPolicies[0]).toMatchObject({ suspendAfterFailures: 10, workerLeaseInMs: 300_000, retry: { maxRetries: 3, retryDelayInMs: 1_000 } });
    expect(parseConfig({})).toEqual({ pipelines: [], semaphores: [], streamPolicies: [], notificationTargets: [] });
  });

  it('names the field, the value and the fix', () => {
    const message = errorOf({ semaphores: [{ kind: 'target', name: 'pg', capacity: 0 }] });
    expect(message).toBe(
      'Config invalid at "semaphores[0].capacity": expected an integer >= 1 (permits), got 0. ' +
        'To fix: set "semaphores[0].capacity" in the SLUICE_CONFIG app setting to an integer >= 1 (permits).',
    );
  });

  it('reports every problem at once: missing fields, bad identifiers, unknown keys, bad kinds', () => {
    const message = errorOf({
      pipelines: [
        { name: 'p', streams: ['UK_*'], source: { kind: 'ftp' }, target: { kind: 'postgres', table: 'drop table;' }, keyColumns: ['id'], extra: 1 },
      ],
    });
    expect(message).toContain('Config invalid at "pipelines[0].source.kind": expected one of "inline", "blob", "http", got "ftp".');
    expect(message).toContain('Config invalid at "pipelines[0].target.table": expected a SQL identifier');
    expect(message).toContain('got "drop table;"');
    expect(message).toContain('Config invalid at "pipelines[0].targetSemaphore"');
    expect(message).toContain('To fix: add "pipelines[0].targetSemaphore" to the SLUICE_CONFIG app setting');
    expect(message).toContain('Config invalid at "pipelines[0]": unknown key "extra". To fix: remove it');
  });

  it('accepts only http(s) URLs for HTTP sources and webhooks', () => {
    const message = errorOf({ notificationTargets: [{ kind: 'webhook', name: 'ops', url: 'file:///etc/passwd' }] });
    expect(message).toContain('Config invalid at "notificationTargets[0].url": expected an absolute http(s) URL, got "file:///etc/passwd".');
  });

  it('checks references between sections and uniqueness of names', () => {
    const broken = structuredClone(valid);
    broken.pipelines![0]!.sourceSemaphore = 'pg';
    broken.pipelines![0]!.policy = 'missing';
    broken.pipelines![0]!.notify = ['nobody'];
    broken.pipelines![0]!.columns = { name: 'text' };
    broken.semaphores!.push({ kind: 'target', name: 'pg', capacity: 1 });
    const message = errorOf(broken);
    expect(message).toContain('"pipelines[0].sourceSemaphore": expected the name of a semaphore of kind "source"');
    expect(message).toContain('"pipelines[0].policy": expected "default" or the name of a policy');
    expect(message).toContain('"pipelines[0].notify[0]": expected the name of a target');
    expect(message).toContain('"pipelines[0].columns": expected a type for every key and version column (missing "id")');
    expect(message).toContain('"semaphores[2]": expected a unique kind and name');
  });

  it('rejects more shards than permits and names the source given by the caller', () => {
    const message = (() => {
      try {
        parseConfig({ semaphores: [{ kind: 'target', name: 'pg', capacity: 2, shards: 3 }] }, { source: 'the management API request' });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('"semaphores[0].shards": expected shards <= capacity');
    expect(message).toContain('in the management API request');
  });

  it('parses JSON text and turns syntax errors into ConfigInvalid naming the source', () => {
    expect(parseConfigJson('{"semaphores":[{"kind":"target","name":"pg","capacity":2}]}').semaphores[0]?.capacity).toBe(2);
    expect(() => parseConfigJson('{"semaphores": [')).toThrow(/Config invalid: the SLUICE_CONFIG app setting is not valid JSON .*To fix: write the configuration as one JSON object/);
  });

  it('resolves the built-in default policy and declared ones', () => {
    const config = parseConfig(valid);
    expect(resolvePolicy(config, 'default')).toMatchObject({ name: 'default', suspendAfterFailures: 5, coalescing: { maxRecordsPerWindow: 10_000 } });
    expect(resolvePolicy(config, 'patient').suspendAfterFailures).toBe(10);
    expect(() => resolvePolicy(config, 'nope')).toThrow(/stream policy "nope" is not declared/);
  });

  it('finds the first pipeline whose pattern matches a stream', () => {
    const config = parseConfig(valid);
    expect(findPipeline(config, 'UK_Account')?.name).toBe('uk-accounts');
    expect(findPipeline(config, 'UK_Sales')?.name).toBe('uk-accounts');
    expect(findPipeline(config, 'DE_Sales')?.name).toBe('all-sales');
    expect(findPipeline(config, 'DE_Account')).toBeUndefined();
  });

  it('documents every field (the descriptions become the Bicep type docs)', () => {
    const undocumented: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((child, i) => visit(child, `${path}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      const schema = node as { properties?: Record<string, { description?: string }> };
      for (const [key, child] of Object.entries(schema.properties ?? {})) {
        if (typeof child.description !== 'string' || child.description.length === 0) undocumented.push(`${path}.${key}`);
      }
      for (const [key, child] of Object.entries(node)) visit(child, `${path}/${key}`);
    };
    visit(z.toJSONSchema(sluiceConfigSchema, { io: 'input' }), '');
    expect(undocumented).toEqual([]);
  });
});

describe('stream patterns', () => {
  it('matches literals exactly and * as any run of characters', () => {
    expect(matchesStreamPattern('UK_Account', 'UK_Account')).toBe(true);
    expect(matchesStreamPattern('UK_Account', 'UK_Accounts')).toBe(false);
    expect(matchesStreamPattern('UK_*', 'UK_')).toBe(true);
    expect(matchesStreamPattern('*_Account', 'DE_Account')).toBe(true);
    expect(matchesStreamPattern('U*_*t', 'UK_Account')).toBe(true);
    expect(matchesStreamPattern('a*a', 'a')).toBe(false);
    expect(matchesStreamPattern('*', '')).toBe(true);
  });

  it('agrees with an equivalent regular expression', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '_', '*'), maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b', '_'), maxLength: 10 }), (pattern, stream) => {
        const regex = new RegExp(`^${pattern.split('*').join('.*')}$`);
        expect(matchesStreamPattern(pattern, stream)).toBe(regex.test(stream));
      }),
      { numRuns: 500 },
    );
  });

  it('SQL identifiers refuse anything that could break out of a statement', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'Z', '_', '0', '9', ' ', '"', "'", ';', '-', '.'), maxLength: 70 }), (name) => {
        if (!SQL_IDENTIFIER.test(name)) return;
        expect(name.length).toBeLessThanOrEqual(63);
        expect(name).not.toMatch(/["';\s\\.()-]/);
        expect(name).not.toMatch(/^[0-9]/);
      }),
      { numRuns: 300 },
    );
  });
});
