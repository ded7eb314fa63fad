/**
 * Acceptance: the real Bicep CLI (`bicep local-deploy`) applies infra/config through the packaged Sluice extension
 * to the real app on the local host (Cosmos DB stand-in as the store).
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prune } from '../../../bicep/prune';
import { buildApp, repoRoot, startAppUnderTest, type AppUnderTest } from './app-under-test';

const configDir = path.join(repoRoot, 'infra', 'config');

describe('bicep local-deploy of infra/config against the app on the local host', () => {
  let app: AppUnderTest;
  let appDir: string;
  let bicep: string;
  let work: string;

  beforeAll(async () => {
    appDir = buildApp();
    bicep = execFileSync('bash', [path.join(repoRoot, 'scripts', 'bicep-cli.sh')], { encoding: 'utf8', timeout: 300_000 }).trim();
    work = mkdtempSync(path.join(tmpdir(), 'sluice-local-deploy-'));
    // Own output folder: infra:check (run by another test) may be publishing dist/bicep at the same time.
    execFileSync('bash', [path.join(repoRoot, 'scripts', 'bicep-extension.sh')], {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 120_000,
      env: { ...process.env, SLUICE_BICEP_OUT: path.join(work, 'ext') },
    });
    writeFileSync(path.join(work, 'bicepconfig.json'), JSON.stringify({
      experimentalFeaturesEnabled: { localDeploy: true },
      extensions: { sluice: path.join(work, 'ext', 'sluice.tgz') },
    }));
    app = await startAppUnderTest(appDir);
  }, 300_000);
  afterAll(async () => {
    await app?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
    if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
  });

  /** Copies the example into the work folder, optionally edited, and runs local-deploy on it. */
  function deploy(
    edit: { bicep?: (text: string) => string; params?: (text: string) => string } = {},
    killWhen?: () => Promise<boolean>,
    extraArgs: string[] = [],
  ): Promise<{ status: number | null; output: string }> {
    const bicepText = readFileSync(path.join(configDir, 'main.bicep'), 'utf8');
    writeFileSync(path.join(work, 'main.bicep'), edit.bicep ? edit.bicep(bicepText) : bicepText);
    copyFileSync(path.join(configDir, 'main.bicepparam'), path.join(work, 'main.bicepparam'));
    if (edit.params) writeFileSync(path.join(work, 'main.bicepparam'), edit.params(readFileSync(path.join(work, 'main.bicepparam'), 'utf8')));
    // Asynchronous: the app under test runs in this process and must keep serving while Bicep calls it.
    const child = spawn(bicep, ['local-deploy', path.join(work, 'main.bicepparam'), ...extraArgs], {
      cwd: work,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SLUICE_ENDPOINT: app.host.url, SLUICE_FUNCTION_KEY: app.host.keys.functionKeys['default'] ?? '' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Kills Bicep and the extension handler it started (their own process group), as a crash would.
    const killGroup = () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    };
    const timer = setTimeout(killGroup, 120_000);
    const closed = new Promise<{ status: number | null; output: string }>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (status) => {
        clearTimeout(timer);
        resolve({ status, output });
      });
    });
    if (killWhen !== undefined) void watchAndKill(killWhen, killGroup, closed);
    return closed;
  }

  /** Checks `condition` (an API round trip each) until it holds or the deployment ends, then kills it. */
  async function watchAndKill(condition: () => Promise<boolean>, kill: () => void, closed: Promise<unknown>): Promise<void> {
    let done = false;
    void closed.then(() => (done = true));
    while (!done) {
      if (await condition()) {
        kill();
        return;
      }
    }
  }

  const names = async (kind: string): Promise<string[]> =>
    ((await (await app.call('GET', `config/${kind}`)).json()) as { items: Array<{ name: string }> }).items.map((i) => i.name);
  const auditCount = async (): Promise<number> => ((await (await app.call('GET', 'config/audit?limit=1000')).json()) as { entries: unknown[] }).entries.length;

  it("fails on capacity: 'four' naming capacity, applies the independent resources and nothing of the bad one", async () => {
    const result = await deploy({ bicep: (text) => text.replace('capacity: warehouseCapacity', "capacity: 'four'") });
    expect(result.status).not.toBe(0);
    const text = result.output.replace(/[│\s]+/g, ' ');
    expect(text).toContain('SluiceInvalidProperty');
    expect(text).toContain('"capacity": expected an integer');
    expect(await names('semaphores')).toEqual(['source:crm']);
    expect(await names('streamPolicies')).toEqual(['crm']);
    expect(await names('notificationTargets')).toEqual(['load-complete']);
    expect(await names('pipelines')).toEqual([]);
  });

  it('applies every declared resource, and a second run changes nothing (no new versions, no audit entries)', async () => {
    const first = await deploy();
    expect(first.output).not.toContain('Failed');
    expect(first.status).toBe(0);
    expect(await names('pipelines')).toEqual(['crm-account', 'crm-contact', 'crm-lead', 'crm-opportunity']);
    expect(await names('semaphores')).toEqual(['source:crm', 'target:warehouse']);
    const effective = (await (await app.call('GET', 'config')).json()) as { pipelines: Array<{ name: string; streams: string[] }> };
    expect(effective.pipelines.find((p) => p.name === 'crm-account')?.streams).toEqual(['UK_Account', 'DE_Account', 'FR_Account', 'ES_Account', 'IT_Account', 'NL_Account']);
    const audits = await auditCount();
    const second = await deploy();
    expect(second.status).toBe(0);
    expect(await auditCount()).toBe(audits);
    const warehouse = (await (await app.call('GET', 'config/semaphores/target:warehouse')).json()) as { version: number; spec: { capacity: number } };
    expect(warehouse).toMatchObject({ version: 1, spec: { capacity: 4 } });
  });

  it('re-applies a raised capacity from the .bicepparam live: the running app sees it and queued waiters start', async () => {
    // Fill the warehouse semaphore (capacity 4) and queue a fifth owner, as loads waiting for a permit would.
    const entityUrl = `${app.host.url}/runtime/webhooks/durabletask/entities/semaphore/target:warehouse`;
    for (const owner of ['load-1', 'load-2', 'load-3', 'load-4', 'load-5']) {
      const acquire = { owner, want: 1, leaseInMs: 600_000, capacityIfNew: 4, nowMs: Date.now() };
      await fetch(`${entityUrl}?op=acquire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(acquire) });
    }
    await app.durableIdle();
    const before = (await (await fetch(entityUrl)).json()) as { capacity: number; waiters: Array<{ owner: string }> };
    expect(before.capacity).toBe(4);
    expect(before.waiters.map((w) => w.owner)).toEqual(['load-5']);

    const result = await deploy({ params: (text) => text.replace('param warehouseCapacity = 4', 'param warehouseCapacity = 6') });
    expect(result.status).toBe(0);
    const effective = (await (await app.call('GET', 'config')).json()) as { semaphores: Array<{ kind: string; name: string; capacity: number }> };
    expect(effective.semaphores.find((s) => s.kind === 'target' && s.name === 'warehouse')?.capacity).toBe(6);
    const after = (await (await fetch(entityUrl)).json()) as { capacity: number; holders: Record<string, unknown>; waiters: unknown[] };
    expect(after.capacity).toBe(6);
    expect(Object.keys(after.holders)).toContain('load-5');
    expect(after.waiters).toEqual([]);
  });

  it('converges to the declared state when Bicep and the handler are killed mid-run and the deployment is re-run', async () => {
    const before = await auditCount();
    const changed = {
      params: (text: string) => text.replace("'IT', 'NL']", "'IT', 'NL', 'PL']").replace('param warehouseCapacity = 4', 'param warehouseCapacity = 8'),
    };
    const killed = await deploy(changed, async () => (await auditCount()) > before);
    expect(killed.status).not.toBe(0);
    const rerun = await deploy(changed);
    expect(rerun.status).toBe(0);
    const effective = (await (await app.call('GET', 'config')).json()) as {
      pipelines: Array<{ streams: string[] }>;
      semaphores: Array<{ kind: string; name: string; capacity: number }>;
    };
    expect(effective.pipelines).toHaveLength(4);
    for (const pipeline of effective.pipelines) expect(pipeline.streams.some((s) => s.startsWith('PL_'))).toBe(true);
    expect(effective.semaphores.find((s) => s.kind === 'target' && s.name === 'warehouse')?.capacity).toBe(8);
  });

  it('prunes explicitly: config:prune lists, then deletes, the stored items the file no longer declares', async () => {
    const withoutLead = { params: (text: string) => text.replace(", 'Lead']", ']') };
    const result = await deploy(withoutLead, undefined, ['--format', 'Json']);
    expect(result.status).toBe(0);
    const outputs = path.join(work, 'outputs.json');
    writeFileSync(outputs, result.output.slice(result.output.indexOf('{'), result.output.lastIndexOf('}') + 1));
    const env = { SLUICE_ENDPOINT: app.host.url, SLUICE_FUNCTION_KEY: app.host.keys.functionKeys['default'] ?? '' };
    const dryRun: string[] = [];
    expect(await prune(['--outputs', outputs], env, (line) => dryRun.push(line))).toBe(1);
    expect(dryRun[0]).toBe('would delete pipelines/crm-lead');
    expect(await names('pipelines')).toContain('crm-lead');
    const applied: string[] = [];
    await prune(['--outputs', outputs, '--apply'], env, (line) => applied.push(line));
    expect(applied[0]).toBe('deleted pipelines/crm-lead');
    expect(await names('pipelines')).toEqual(['crm-account', 'crm-contact', 'crm-opportunity']);
  });

  it('suspends a stream declared in suspendedStreams through Sluice/streams, and a re-run leaves it unchanged', async () => {
    // The stream exists once it has received an event (as the ingress would append it).
    const append = { events: [{ stream: 'UK_Account', occurredAtMs: 1_000 }], candidateWorkerId: 'stream-worker:UK_Account:w1', leaseInMs: 600_000, nowMs: Date.now() };
    const signal = await fetch(`${app.host.url}/runtime/webhooks/durabletask/entities/stream/UK_Account?op=append`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(append),
    });
    expect(signal.status).toBe(202);
    await app.durableIdle();
    const declared = { params: (text: string) => `${text}\nparam suspendedStreams = ['UK_Account']\n` };

    const first = await deploy(declared);
    expect(first.status).toBe(0);
    const stream = (await (await app.call('GET', 'streams/UK_Account')).json()) as { status: string; suspension: { reason: string } };
    expect(stream).toMatchObject({ status: 'suspended', suspension: { reason: 'Suspended by the configuration deployment (infra/config).' } });
    const audits = await auditCount();
    const second = await deploy(declared);
    expect(second.status).toBe(0);
    expect(await auditCount()).toBe(audits);
    expect(((await (await app.call('GET', 'streams/UK_Account')).json()) as { status: string }).status).toBe('suspended');
  });
});
