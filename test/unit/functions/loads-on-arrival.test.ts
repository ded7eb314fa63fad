import { parseConfig } from '../../../core/config';
import { loadApp } from '../../support/durable-app';

// The app registers through the Functions worker's core module; loadApp provides it before the module loads.
loadApp();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { arrivalLoadId, arrivalPipeline } = require('../../../functions/loads-on-arrival') as typeof import('../../../functions/loads-on-arrival');

const pipeline = (name: string, glob: string, container?: string) => ({
  name, streams: [name], source: { kind: 'blob', ...(container === undefined ? {} : { container }), loadOnArrival: glob },
  target: { kind: 'postgres', table: name.replace('-', '_') }, targetSemaphore: 'pg', keyColumns: ['id'], versionColumn: 'v', columns: { id: 'bigint', v: 'bigint' },
});
const config = parseConfig({
  semaphores: [{ kind: 'target', name: 'pg', capacity: 2 }],
  pipelines: [pipeline('daily', 'orders/*.csv'), pipeline('all-orders', 'orders/**'), pipeline('elsewhere', 'x/*', 'other')],
});

describe('loads on arrival', () => {
  it('derive the load id from container, blob name and ETag only: same version same id, new version new id', () => {
    const id = arrivalLoadId('landing', 'orders/day.csv', '"0x1"');
    expect(id).toMatch(/^load-[0-9a-f]{40}$/);
    expect(arrivalLoadId('landing', 'orders/day.csv', '"0x1"')).toBe(id);
    expect(arrivalLoadId('landing', 'orders/day.csv', '0x1')).toBe(id);
    expect(arrivalLoadId('landing', 'orders/day.csv', '"0x2"')).not.toBe(id);
    expect(arrivalLoadId('landing', 'orders/day2.csv', '"0x1"')).not.toBe(id);
  });

  it('pick the first pipeline in declaration order whose glob matches and whose container is the landing one', () => {
    expect(arrivalPipeline(config, 'landing', 'orders/day.csv')?.name).toBe('daily');
    expect(arrivalPipeline(config, 'landing', 'orders/2026/day.csv')?.name).toBe('all-orders');
    expect(arrivalPipeline(config, 'landing', 'x/a')).toBeUndefined();
    expect(arrivalPipeline(config, 'landing', 'sales/day.csv')).toBeUndefined();
  });
});
