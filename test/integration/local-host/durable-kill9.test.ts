import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ENTRY = join(__dirname, '../../support/durable/child-entry.js');
const CHILD = join(__dirname, '../../support/durable/host-child.ts');
const APP = join(__dirname, '../../apps/durable-crash/index.ts');

interface Child {
  process: ChildProcess;
  baseUrl: string;
  /** Resolves when a stdout line satisfies `match`. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

async function startChild(dir: string, env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--no-warnings', ENTRY, CHILD, join(dir, 'hub.sqlite'), APP], {
    env: { ...process.env, ...env, CRASH_RUNS_FILE: join(dir, 'runs.log') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: Array<{ match: (l: string) => boolean; resolve: (l: string) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      if (!w.match(line)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  });
  const waitForLine = (match: (line: string) => boolean, timeoutMs = 20_000): Promise<string> => {
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No matching line from the host within ${timeoutMs} ms; got:\n${lines.join('\n')}`)), timeoutMs);
      waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      child.once('exit', (code) => reject(new Error(`Host exited with ${code} before the expected line; got:\n${lines.join('\n')}`)));
    });
  };
  const ready = await waitForLine((l) => l.startsWith('READY '));
  return { process: child, baseUrl: ready.slice('READY '.length), waitForLine };
}

function kill9(child: Child): Promise<void> {
  return new Promise((resolve) => {
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}

describe('crash safety of the sqlite task hub', () => {
  let dir: string;
  const children: Child[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-kill9-'));
    writeFileSync(join(dir, 'runs.log'), '');
  });

  afterAll(async () => {
    for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) await kill9(c);
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes the orchestration after kill -9 without re-running completed activities or losing entity state', async () => {
    const first = await startChild(dir, { CRASH_BLOCK: '1' });
    children.push(first);
    const signal = await fetch(`${first.baseUrl}/durabletask/entities/Tally/t?op=add`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '7' });
    expect(signal.status).toBe(202);
    await first.waitForLine((l) => l.includes('"entityId":"@tally@t"') && l.includes('"outcome":"Succeeded"'));
    const started = await fetch(`${first.baseUrl}/durabletask/orchestrators/crashChain/crash-1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '""' });
    expect(started.status).toBe(202);
    await first.waitForLine((l) => l === 'STEP3_BLOCKED');
    await kill9(first);

    const second = await startChild(dir, { CRASH_BLOCK: '0' });
    children.push(second);
    await second.waitForLine((l) => l.includes('"event":"Sluice.Orchestration.Completed"') && l.includes('crash-1'));
    const status = await fetch(`${second.baseUrl}/durabletask/instances/crash-1`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ runtimeStatus: 'Completed', output: [10, 20, 30, 40] });
    const runs = readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n');
    // Steps 1 and 2 completed before the kill and never ran again; step 3 was in flight and ran twice.
    expect(runs).toEqual(['1', '2', '3', '3', '4']);
    const tally = await fetch(`${second.baseUrl}/durabletask/entities/Tally/t`);
    expect(await tally.json()).toBe(7);
    await kill9(second);
  });

  it('keeps every effect exactly once across repeated kill -9 during a fan-out and its entity signals', async () => {
    const n = 40;
    const expected = n * (n + 1);
    const isActivityLog = (l: string): boolean => l.includes('"function":"recordItem"');
    const first = await startChild(dir, {});
    children.push(first);
    const started = await fetch(`${first.baseUrl}/durabletask/orchestrators/crashFanOut/fan-1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: String(n) });
    expect(started.status).toBe(202);
    let seen = 0;
    await first.waitForLine((l) => isActivityLog(l) && ++seen === 5);
    await kill9(first);

    const second = await startChild(dir, {});
    children.push(second);
    seen = 0;
    // On a fast machine the first host may have run every activity before its kill: then the second host only
    // replays and completes, so its completion also ends the wait.
    const isCompletion = (l: string): boolean => l.includes('"event":"Sluice.Orchestration.Completed"') && l.includes('fan-1');
    await second.waitForLine((l) => isCompletion(l) || ((isActivityLog(l) || l.includes('"entityId":"@tally@fan-1"')) && ++seen === 12));
    await kill9(second);

    const third = await startChild(dir, {});
    children.push(third);
    // The second host may already have finished the orchestration before its kill: poll the status.
    const deadline = Date.now() + 20_000;
    let status: { runtimeStatus?: string; output?: unknown } = {};
    do {
      status = (await (await fetch(`${third.baseUrl}/durabletask/instances/fan-1`)).json()) as typeof status;
      if (status.runtimeStatus !== 'Completed') await new Promise((resolve) => setImmediate(resolve));
    } while (status.runtimeStatus !== 'Completed' && Date.now() < deadline);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: expected });
    // Signals were committed with the episode that sent them: the tally is exact, no signal lost or doubled.
    let tally: unknown;
    do {
      const response = await fetch(`${third.baseUrl}/durabletask/entities/Tally/fan-1`);
      tally = response.status === 200 ? await response.json() : undefined;
      if (tally !== expected) await new Promise((resolve) => setImmediate(resolve));
    } while (tally !== expected && Date.now() < deadline);
    expect(tally).toBe(expected);
    const runs = readFileSync(join(dir, 'runs.log'), 'utf8').split('\n').filter((l) => l.startsWith('item '));
    for (let i = 1; i <= n; i++) expect(runs).toContain(`item ${i}`);
    await kill9(third);
  });
});
