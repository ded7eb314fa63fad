/**
 * Starts the real Sluice app (package.json "main", compiled by tsc like the deployment) on the local host, with the
 * Cosmos DB stand-in as its configuration store. The app is compiled once per test file (buildApp).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalDurableHost } from '../../../local/host/durable';
import { durableHostFactory } from '../../../local/host/durable/factory';
import { startHost, type RunningHost } from '../../../local/host/host';
import type { HostLogEntry } from '../../../local/host/log';
import { startCosmos, type CosmosService } from '../../../local/services/cosmos';
import type { LocalServices } from '../../../local/services';
import type { SchedulingClock } from '../../../local/host/scheduling-clock';

export const repoRoot = path.resolve(__dirname, '../../..');

/**
 * Compiles the app into its own folder under the git-ignored .tools/ (package.json "main" + host.json, as deployed),
 * so test files running in parallel never load a dist/ another one is rewriting. Inside the repository, so the
 * app's requires find node_modules as on Azure.
 */
export function buildApp(): string {
  mkdirSync(path.join(repoRoot, '.tools'), { recursive: true });
  const appDir = mkdtempSync(path.join(repoRoot, '.tools', 'test-app-'));
  copyFileSync(path.join(repoRoot, 'host.json'), path.join(appDir, 'host.json'));
  writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: 'sluice-under-test', private: true, main: 'dist/functions/index.js' }));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(repoRoot, 'tsconfig.build.json'), '--outDir', path.join(appDir, 'dist')],
    { cwd: repoRoot, stdio: 'inherit', timeout: 120_000 });
  return appDir;
}

export interface AppUnderTestOptions {
  /** Run on these services (Blob, PostgreSQL, their Cosmos DB) instead of a Cosmos DB stand-in of its own. */
  services?: LocalServices;
  /** The host's clock (timer triggers and Durable time); wall time by default. */
  clock?: SchedulingClock;
}

export interface AppUnderTest {
  host: RunningHost;
  cosmos: Pick<CosmosService, 'endpoint' | 'key'>;
  logs: HostLogEntry[];
  /** Resolves when no orchestration episode, activity or entity batch is running. */
  durableIdle(): Promise<void>;
  /** fetch against the host with the default function key. */
  call(method: string, route: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startAppUnderTest(appDir: string, extraEnv: Record<string, string> = {}, options: AppUnderTestOptions = {}): Promise<AppUnderTest> {
  const own = options.services === undefined ? await startCosmos() : undefined;
  const cosmos = own ?? options.services!.cosmos;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-config-'));
  const logs: HostLogEntry[] = [];
  const env = {
    ...options.services?.env(),
    SLUICE_COSMOS_ENDPOINT: cosmos.endpoint,
    SLUICE_COSMOS_KEY: cosmos.key,
    SLUICE_COSMOS_ENDPOINT_DISCOVERY: 'false',
    SLUICE_COSMOS_DATABASE: 'sluice',
    SLUICE_TASK_HUB: 'SluiceConfigTest',
    ...extraEnv,
  };
  // The app runs in this process (loaded by Node's own require, outside jest's sandbox) and reads the real
  // process.env, as it would in the Functions worker.
  const realEnv = process.getBuiltinModule('node:process').env;
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, realEnv[name]]));
  Object.assign(realEnv, env);
  const restoreEnv = () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete realEnv[name];
      else realEnv[name] = value;
    }
  };
  let host: RunningHost;
  let durable: LocalDurableHost | undefined;
  try {
    host = await startHost({ appDir, port: 0, dataDir, env: realEnv, logSink: (entry) => logs.push(entry), ...(options.clock === undefined ? {} : { clock: options.clock }), durable: (context) => {
      durable = durableHostFactory({ store: 'memory' })(context) as LocalDurableHost;
      return durable;
    } });
  } catch (error) {
    restoreEnv();
    await own?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const key = host.keys.functionKeys['default'] ?? '';
  return {
    host,
    cosmos,
    logs,
    durableIdle: () => durable?.whenIdle() ?? Promise.resolve(),
    call: (method, route, init = {}) =>
      fetch(`${host.url}/api/${route}`, {
        method,
        headers: { 'x-functions-key': key, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      }),
    stop: async () => {
      await host.stop();
      await own?.stop();
      restoreEnv();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
