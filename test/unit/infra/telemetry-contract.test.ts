// The workbook and the alert rules may only query telemetry names that docs/telemetry.md promises the app emits.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './arm-template';

const contract = readFileSync(join(repoRoot, 'docs', 'telemetry.md'), 'utf8');
const documented = new Set([...contract.matchAll(/`((?:Sluice\.[A-Z]\w*\.[A-Z]\w*)|(?:sluice\.[a-z]+\.[a-z]+))`/g)].map((m) => m[1]!));

const queryFiles = [
  join(repoRoot, 'infra', 'workbook', 'sluice.workbook.json'),
  ...readdirSync(join(repoRoot, 'infra', 'alerts')).map((f) => join(repoRoot, 'infra', 'alerts', f)),
];

function namesUsedIn(text: string): string[] {
  return [...text.matchAll(/"((?:Sluice\.[A-Za-z]+\.[A-Za-z]+)|(?:sluice\.[a-z]+\.[a-z]+))\\?"/g)].map((m) => m[1]!);
}

describe('telemetry contract (docs/telemetry.md)', () => {
  it('names events Sluice.<Noun>.<PastVerb> and metrics sluice.<noun>.<unit>', () => {
    expect(documented.size).toBeGreaterThanOrEqual(10);
    for (const name of documented) expect(name).toMatch(/^(Sluice\.[A-Z][a-z]+\.[A-Z][a-z]+ed|sluice\.[a-z]+\.(count|ms))$/);
  });

  it.each(queryFiles.map((f) => [f.slice(repoRoot.length + 1), f]))('%s queries only documented names', (_label, file) => {
    const used = namesUsedIn(readFileSync(file, 'utf8'));
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect([name, documented.has(name)]).toEqual([name, true]);
  });

  it('the workbook is valid workbook JSON', () => {
    const workbook = JSON.parse(readFileSync(queryFiles[0]!, 'utf8')) as { version: string; items: unknown[] };
    expect(workbook.version).toBe('Notebook/1.0');
    expect(workbook.items.length).toBeGreaterThan(5);
  });
});
