// architecture.md: JavaScript critical sections (context.df.lock) need Durable extension >= 3.13, which the
// extension bundles did not carry. So the app either avoids context.df.lock and deploys with the bundle, or the
// deployment pins the extension through an extensions.csproj. This test keeps the code and the deployment in step.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './arm-template';

const appDirs = ['functions', 'orchestrators', 'entities', 'core', 'connectors'];

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('Durable extension pinning', () => {
  const usesLock = appDirs
    .flatMap((d) => sourceFiles(join(repoRoot, d)))
    .filter((file) => /\bdf\s*\.\s*lock\s*\(/.test(readFileSync(file, 'utf8')));
  const hostJson = JSON.parse(readFileSync(join(repoRoot, 'host.json'), 'utf8')) as { extensionBundle?: unknown };

  it('uses the extension bundle only while the app avoids context.df.lock; otherwise pins DurableTask >= 3.13', () => {
    if (usesLock.length === 0) {
      expect(hostJson.extensionBundle).toBeDefined();
      return;
    }
    const csproj = join(repoRoot, 'extensions.csproj');
    expect([usesLock, existsSync(csproj)]).toEqual([usesLock, true]);
    expect(hostJson.extensionBundle).toBeUndefined();
    const version = /Microsoft\.Azure\.WebJobs\.Extensions\.DurableTask"\s+Version="(\d+)\.(\d+)/.exec(readFileSync(csproj, 'utf8'));
    expect(version).not.toBeNull();
    const [major, minor] = [Number(version![1]), Number(version![2])];
    expect(major > 3 || (major === 3 && minor >= 13)).toBe(true);
  });
});
