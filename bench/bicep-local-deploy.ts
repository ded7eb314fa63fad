/**
 * `bicep local-deploy` through the Sluice extension (issue 10): wall time to apply 10 and 500 declared resources
 * (semaphores: independent, so Bicep sends them concurrently) to the app on the local host with the Cosmos DB
 * stand-in, first run (all created) and second run (all unchanged). Baseline in the same run: the same PUTs sent
 * straight to the management API (8 at a time), without Bicep or the handler.
 *
 * Run: npm run bench:bicep (builds the app and the extension first). Writes bench/results/bicep-local-deploy.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHost } from '../local/host/host';
import { startCosmos } from '../local/services/cosmos';

const root = path.resolve(__dirname, '../..');
const sizes = (process.env['BENCH_SIZES'] ?? '10,500').split(',').map(Number);

function bicepFile(count: number, prefix: string): string {
  return [
    "targetScope = 'local'",
    'param endpoint string',
    '@secure()',
    'param functionKey string',
    'extension sluice with {',
    '  endpoint: endpoint',
    '  functionKey: functionKey',
    '}',
    `resource sems 'Sluice/semaphores@2026-11-01' = [for i in range(0, ${count}): {`,
    `  name: 'target:${prefix}-\${i}'`,
    '  capacity: 4',
    '}]',
    '',
  ].join('\n');
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; status: number | null; output: string }> {
  const started = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ ms: performance.now() - started, status, output }));
  });
}

async function main(): Promise<void> {
  const bicep = execFileSync('bash', [path.join(root, 'scripts/bicep-cli.sh')], { encoding: 'utf8' }).trim();
  const work = mkdtempSync(path.join(tmpdir(), 'sluice-bench-bicep-'));
  const cosmos = await startCosmos();
  Object.assign(process.env, { SLUICE_COSMOS_ENDPOINT: cosmos.endpoint, SLUICE_COSMOS_KEY: cosmos.key, SLUICE_COSMOS_ENDPOINT_DISCOVERY: 'false' });
  const host = await startHost({ appDir: root, port: 0, dataDir: work, env: process.env, logSink: () => undefined });
  const key = host.keys.functionKeys['default'] ?? '';
  writeFileSync(path.join(work, 'bicepconfig.json'), JSON.stringify({
    experimentalFeaturesEnabled: { localDeploy: true },
    extensions: { sluice: path.join(root, 'dist/bicep/sluice.tgz') },
  }));
  const results: Array<Record<string, number>> = [];
  try {
    for (const count of sizes) {
      const file = path.join(work, `main-${count}.bicep`);
      writeFileSync(file, bicepFile(count, `b${count}`));
      writeFileSync(path.join(work, `main-${count}.bicepparam`), `using 'main-${count}.bicep'\nparam endpoint = '${host.url}'\nparam functionKey = readEnvironmentVariable('SLUICE_FUNCTION_KEY')\n`);
      const env = { ...process.env, SLUICE_FUNCTION_KEY: key };
      const first = await run(bicep, ['local-deploy', `main-${count}.bicepparam`], work, env);
      const second = await run(bicep, ['local-deploy', `main-${count}.bicepparam`], work, env);
      if (first.status !== 0 || second.status !== 0) throw new Error(`local-deploy of ${count} resources failed:\n${first.output}\n${second.output}`);
      // Baseline: the same items (new names) straight to the API, 8 requests in flight.
      const names = Array.from({ length: count }, (_, i) => `target:direct${count}-${i}`);
      const started = performance.now();
      for (let i = 0; i < names.length; i += 8) {
        await Promise.all(names.slice(i, i + 8).map(async (name) => {
          const response = await fetch(`${host.url}/api/config/semaphores/${name}`, { method: 'PUT', headers: { 'x-functions-key': key }, body: JSON.stringify({ capacity: 4 }) });
          if (response.status !== 201) throw new Error(`PUT ${name}: HTTP ${response.status}`);
        }));
      }
      const direct = performance.now() - started;
      results.push({ resources: count, firstRunMs: Math.round(first.ms), secondRunMs: Math.round(second.ms), directApiMs: Math.round(direct) });
      process.stdout.write(`${count} resources: local-deploy ${Math.round(first.ms)} ms (unchanged re-run ${Math.round(second.ms)} ms), direct API ${Math.round(direct)} ms\n`);
    }
  } finally {
    await host.stop();
    await cosmos.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const out = { date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, results };
  writeFileSync(path.join(root, 'bench/results/bicep-local-deploy.json'), `${JSON.stringify(out, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
