import fc from 'fast-check';
import { ReadyIndex } from '../../../../local/servicebus/engine/ready-index';

describe('ReadyIndex', () => {
  it('takes per key in ascending order whatever the insertion order, and remove only removes the given number', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.nat(1000), { maxLength: 60 }), fc.uniqueArray(fc.nat(1000), { maxLength: 20 }), (added, removed) => {
      const index = new ReadyIndex({ isStale: () => false, onStale: () => {} });
      for (const n of added) index.add(String(n % 3), n);
      for (const n of removed) index.remove(String(n % 3), n);
      for (const key of ['0', '1', '2']) {
        const out: number[] = [];
        for (let n = index.take(key); n !== undefined; n = index.take(key)) out.push(n);
        const expected = added.filter((n) => String(n % 3) === key && !removed.includes(n)).sort((a, b) => a - b);
        expect(out).toEqual(expected);
      }
    }));
  });

  it('drops stale heads, hands them to onStale, and picks the key with the oldest fresh head', () => {
    const stale = new Set([1, 2]);
    const dropped: number[] = [];
    const index = new ReadyIndex({ isStale: (n) => stale.has(n), onStale: (n) => dropped.push(n) });
    index.add('a', 1);
    index.add('a', 5);
    index.add('b', 2);
    index.add('b', 3);
    expect(index.oldestKey(() => false)).toBe('b');
    expect(index.oldestKey((k) => k === 'b')).toBe('a');
    expect(dropped.sort()).toEqual([1, 2]);
    expect(index.take('a')).toBe(5);
    expect(index.take('a')).toBeUndefined();
  });
});
