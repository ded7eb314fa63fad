import fc from 'fast-check';
import { canonicalJson, checkItemInContext, diffItems, itemName, mergeConfigItems, parseConfig, parseConfigItem } from '../../../core/config';
import { isSluiceError } from '../../../core/errors';

function targetOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isSluiceError(error)) return error.ids['target'];
    throw error;
  }
  return undefined;
}

describe('parseConfigItem', () => {
  it('fills the semaphore kind and name from the URL name and applies defaults', () => {
    expect(parseConfigItem('semaphores', 'target:warehouse', { capacity: 4 })).toEqual({ kind: 'target', name: 'warehouse', capacity: 4, shards: 1, leaseInMs: 300_000 });
  });

  it('names the bad field in ids.target: a string capacity, a name that disagrees with the URL, a bad URL name', () => {
    expect(targetOf(() => parseConfigItem('semaphores', 'target:warehouse', { capacity: 'four' }))).toBe('capacity');
    expect(targetOf(() => parseConfigItem('streamPolicies', 'crm', { name: 'other' }))).toBe('name');
    expect(targetOf(() => parseConfigItem('semaphores', 'warehouse', { capacity: 1 }))).toBe('name');
    expect(targetOf(() => parseConfigItem('streamPolicies', 'crm', { retry: { maxRetries: -1 } }))).toBe('retry.maxRetries');
    expect(targetOf(() => parseConfigItem('streamPolicies', 'crm', [1]))).toBe('(root)');
  });
});

describe('diffItems and canonicalJson', () => {
  it('lists changed, added and removed fields by path', () => {
    expect(diffItems({ a: 1, b: { c: 2 }, d: [1] }, { a: 1, b: { c: 3 }, e: true })).toEqual([
      { path: 'b.c', from: 2, to: 3 },
      { path: 'd', from: [1] },
      { path: 'e', to: true },
    ]);
  });

  it('finds no difference between a value and itself with keys in any order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(diffItems(value, reversed)).toEqual([]);
        expect(canonicalJson(value)).toBe(canonicalJson(reversed));
      }),
      { numRuns: 300 },
    );
  });
});

describe('merging stored items over the bootstrap file, and checking references', () => {
  const bootstrap = parseConfig({ semaphores: [{ kind: 'target', name: 'warehouse', capacity: 2 }] });
  const pipeline = parseConfigItem('pipelines', 'account', {
    streams: ['*_Account'], source: { kind: 'inline' }, target: { kind: 'postgres', table: 'account' }, targetSemaphore: 'warehouse', keyColumns: ['id'],
  });

  it('lets a stored item replace the bootstrap item of the same name', () => {
    const stored = [{ kind: 'semaphores' as const, item: parseConfigItem('semaphores', 'target:warehouse', { capacity: 4 }) }];
    const merged = mergeConfigItems(bootstrap, stored);
    expect(merged.semaphores.map((s) => [itemName('semaphores', s), (s as { capacity: number }).capacity])).toEqual([['target:warehouse', 4]]);
  });

  it('accepts a pipeline whose semaphore exists and names targetSemaphore when it does not', () => {
    expect(() => checkItemInContext(bootstrap, [], 'pipelines', 'account', pipeline)).not.toThrow();
    expect(targetOf(() => checkItemInContext(bootstrap, [], 'pipelines', 'account', { ...pipeline, targetSemaphore: 'nowhere' }))).toBe('targetSemaphore');
  });

  it('refuses to delete a semaphore a pipeline still uses, naming the referring field', () => {
    const stored = [{ kind: 'pipelines' as const, item: pipeline }];
    expect(targetOf(() => checkItemInContext(bootstrap, stored, 'semaphores', 'target:warehouse', undefined))).toBe('pipelines[0].targetSemaphore');
  });
});
