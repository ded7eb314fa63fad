import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseQueues } from '../../../../local/servicebus/config';

describe('Service Bus emulator config', () => {
  it('fills Azure defaults for omitted queue properties', () => {
    expect(parseQueues([{ name: 'orders' }])).toEqual([{
      name: 'orders', requiresSession: false, lockDurationInMs: 60_000, maxDeliveryCount: 10,
      deadLetteringOnMessageExpiration: false, maxSizeInMegabytes: 1024,
    }]);
  });

  it('rejects unknown properties, naming them, so unsupported features fail loudly', () => {
    expect(() => parseQueues([{ name: 'q', forwardTo: 'other' } as never])).toThrow(/forwardTo/);
  });

  it('rejects a queue declared twice (names are case-insensitive)', () => {
    expect(() => parseQueues([{ name: 'Q' }, { name: 'q' }])).toThrow(/declared twice/);
  });

  it('reads a JSON file and reports a bad one with the file name and a fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sb-config-'));
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ queues: [{ name: 'a', requiresSession: true, lockDurationInMs: 5000 }] }));
      expect(loadConfigFile(good)[0]).toMatchObject({ name: 'a', requiresSession: true, lockDurationInMs: 5000 });
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ queues: [{ name: 'a', maxDeliveryCount: 0 }], topics: [] }));
      expect(() => loadConfigFile(bad)).toThrow(/bad\.json[\s\S]*To fix/);
      expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(/not readable JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
