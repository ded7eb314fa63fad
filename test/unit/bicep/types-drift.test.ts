import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateBicepTypes } from '../../../bicep/types/generate';

const root = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, 'bicep', 'types', file), 'utf8');

describe('generated Bicep types', () => {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const generated = generateBicepTypes(version);

  it('match the committed bicep/types files (run `npm run bicep:types` after changing the zod schema)', () => {
    expect(read('index.json')).toBe(generated.indexJson);
    expect(read('types.json')).toBe(generated.typesJson);
  });

  it('carry the schema constraints and descriptions over: capacity is an int >= 1, semaphore names are keys, the function key is sensitive', () => {
    const types = JSON.parse(generated.typesJson) as Array<Record<string, unknown>>;
    const at = (ref: unknown) => types[Number(String((ref as { $ref: string }).$ref).replace('#/', ''))] as Record<string, unknown>;
    const semaphores = types.find((t) => t['$type'] === 'ObjectType' && t['name'] === 'semaphores') as { properties: Record<string, { type: unknown; flags: number; description: string }> };
    expect(at(semaphores.properties['capacity']?.type)).toEqual({ $type: 'IntegerType', minValue: 1 });
    expect(semaphores.properties['capacity']?.flags).toBe(1);
    expect(semaphores.properties['capacity']?.description).toContain('Permits available at once');
    expect(semaphores.properties['name']?.flags).toBe(17);
    expect(at(semaphores.properties['name']?.type)).toMatchObject({ $type: 'StringType', pattern: expect.stringContaining('(?:source|target):') });
    const config = types.find((t) => t['$type'] === 'ObjectType' && t['name'] === 'configuration') as { properties: Record<string, { type: unknown; flags: number }> };
    expect(at(config.properties['functionKey']?.type)).toMatchObject({ $type: 'StringType', sensitive: true });
    expect(config.properties['endpoint']?.flags).toBe(1);
    expect(JSON.parse(generated.indexJson)).toMatchObject({ settings: { name: 'sluice', version, isSingleton: false } });
  });
});
