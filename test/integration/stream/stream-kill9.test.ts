/**
 * Issue 5 acceptance "kill -9 the host mid-run and restart": the app runs on the local host in a CHILD process
 * (`dist/local/host/cli.js --durable sqlite --servicebus`, the app loaded from package.json "main" as `npm start`
 * does), the Service Bus emulator and the services in this process. The child is SIGKILLed at an observed moment
 * (rows landing, permits held, streams running) and restarted on the same data directory: the run completes with
 * every event applied exactly once to PostgreSQL and in order, and afterwards no permit or stream lock is held.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { StreamStatusView } from '../../../core/stream';
import type { SemaphoreApiView } from '../../../functions/semaphore-views';
import { eventMessage, startStreamStack, until, type StreamStack } from '../../support/stream-stack';

const streams = Array.from({ length: 20 }, (_, i) => `K_${i}`);
const eventsPerStream = 10;
const total = streams.length * eventsPerStream;
const deadlineInMs = 120_000;
const maxMessageBatchSize = 4;

const config = {
  semaphores: [{ kind: 'source', name: 'crm', capacity: 2 }, { kind: 'target', name: 'pg', capacity: 2 }],
  streamPolicies: [{ name: 'small-windows', coalescing: { maxEventsPerWindow: 2 } }],
  pipelines: [{
    name: 'accounts', streams: ['K_*'], source: { kind: 'inline' }, sourceSemaphore: 'crm',
    target: { kind: 'postgres', table: 'accounts' }, targetSemaphore: 'pg',
    keyColumns: ['id'], versionColumn: 'v', columns: { id: 'text', v: 'bigint', stream: 'text', n: 'integer' }, policy: 'small-windows',
  }],
};

interface HostChild {
  process: ChildProcess;
  url: string;
  key: string;
  output: string[];
  call<T>(route: string): Promise<T>;
}

/** Starts the CLI host on a free port; resolves once it printed its URL and function key. */
function startChild(stack: StreamStack, dataDir: string): Promise<HostChild> {
  const cli = path.join(stack.appDir, 'dist', 'local', 'host', 'cli.js');
  const child = spawn(process.execPath, ['--no-warnings', cli, '--app', stack.appDir, '--port', '0', '--data-dir', dataDir, '--durable', 'sqlite', '--servicebus', '--log-level', 'warning'], {
    env: { ...process.getBuiltinModule('node:process').env, ...stack.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  return new Promise((resolve, reject) => {
    let url: string | undefined;
    const timer = setTimeout(() => reject(new Error(`The host did not start within 60 s; output:\n${output.join('\n')}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`The host exited with ${code} while starting; output:\n${output.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      url ??= /listening on (http:\/\/\S+)/.exec(line)?.[1];
      const key = /^\s+default: (\S+)$/.exec(line)?.[1];
      if (url === undefined || key === undefined) return;
      clearTimeout(timer);
      resolve({
        process: child, url, key, output,
        call: async <T>(route: string) => {
          const response = await fetch(`${url}/api/${route}`, { headers: { 'x-functions-key': key } });
          if (response.status !== 200) throw new Error(`GET ${route}: ${response.status} ${await response.text()}`);
          return (await response.json()) as T;
        },
      });
    });
  });
}

function kill9(child: HostChild): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}

describe('kill -9 of the host mid-run', () => {
  let stack: StreamStack;
  let dataDir: string;
  const children: HostChild[] = [];

  beforeAll(async () => {
    // A short lock: messages the killed host had received but not completed come back soon after the kill.
    stack = await startStreamStack({ config, taskHub: 'SluiceKill9Test', lockDurationInMs: 5_000, serviceBus: { sessionIdleTimeout: '00:00:00.2', maxMessageBatchSize } });
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-stream-kill9-'));
  }, 180_000);

  afterAll(async () => {
    for (const child of children) await kill9(child);
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function rowCount(): Promise<number> {
    const result = await stack.pg.query<{ n: string }>('select count(*) as n from public.accounts').catch(() => undefined);
    return Number(result?.rows[0]?.n ?? 0);
  }

  it('applies every event exactly once to PostgreSQL after a restart on the same data directory, with no permit or stream lock left', async () => {
    // Everything is queued before the host starts, so every ingress batch holds the same messages on redelivery.
    const perStream = streams.map((s) => Array.from({ length: eventsPerStream }, (_, n) => eventMessage(s, n, { id: `${s}-${n}`, v: n + 1, stream: s, n })));
    const messages = Array.from({ length: eventsPerStream }, (_, n) => perStream.map((m) => m[n]!)).flat();
    await stack.send(messages);

    const first = await startChild(stack, dataDir);
    children.push(first);
    // Kill at an observed moment: rows are landing, some worker holds a permit and some stream is running.
    const seen = await until('rows landing while permits are held', async () => {
      const rows = await rowCount();
      if (rows >= total) throw new Error('The run finished before a permit was seen held mid-run; the test needs a larger run.');
      if (rows < total / 5) return undefined;
      const [{ semaphores }, { streams: listed }] = await Promise.all([
        first.call<{ semaphores: SemaphoreApiView[] }>('semaphores'),
        first.call<{ streams: StreamStatusView[] }>('streams?top=100'),
      ]);
      const held = semaphores.reduce((sum, s) => sum + s.held, 0);
      const running = listed.filter((s) => s.status === 'running').length;
      return held > 0 && running > 0 ? { rows, held, running } : undefined;
    }, deadlineInMs);
    await kill9(first);
    expect(seen.held).toBeGreaterThan(0);
    expect(await rowCount()).toBeLessThan(total);

    const second = await startChild(stack, dataDir);
    children.push(second);
    await until(`${total} rows`, async () => ((await rowCount()) >= total ? true : undefined), deadlineInMs);
    // Every stream drained: idle, no worker (no stream lock), nothing pending.
    await until('all streams idle', async () => {
      const { streams: views } = await second.call<{ streams: StreamStatusView[] }>('streams?top=100');
      return views.length === streams.length && views.every((v) => v.status === 'idle' && v.pendingEvents === 0) ? true : undefined;
    }, deadlineInMs);
    const appended = new Map<string, number>();
    for (const stream of streams) {
      const view = await second.call<StreamStatusView>(`streams/${stream}`);
      expect(view).toMatchObject({ status: 'idle', workerId: null, openWindowId: null, pendingEvents: 0 });
      expect(view.counters.eventsCommitted).toBe(view.counters.eventsAppended);
      expect(view.counters.failures).toBe(0);
      appended.set(stream, view.counters.eventsAppended);
    }
    // A batch the kill left settled halfway comes back as another batch (its own ingestBatch); the stream entity
    // skips the messages it appended before (their Service Bus sequence numbers), so every event counts once.
    expect([...appended.values()].reduce((sum, n) => sum + n, 0)).toBe(total);
    // No permit held and nobody waiting (the orchestrations the kill interrupted released theirs after the restart).
    const { semaphores } = await until('all permits released', async () => {
      const body = await second.call<{ semaphores: SemaphoreApiView[] }>('semaphores');
      return body.semaphores.every((s) => s.held === 0 && s.waiters.length === 0) ? body : undefined;
    }, deadlineInMs);
    expect(semaphores.map((s) => s.name).sort()).toEqual(['source:crm', 'target:pg']);

    const rows = (await stack.pg.query<{ id: string; v: string }>('select id, v from public.accounts order by id')).rows;
    const expected = streams.flatMap((s) => Array.from({ length: eventsPerStream }, (_, n) => ({ id: `${s}-${n}`, v: String(n + 1) })));
    expect(rows).toEqual(expected.sort((a, b) => (a.id < b.id ? -1 : 1)));
    // In order: each stream's windows are consecutive and all succeeded, and together they hold its appended events.
    for (const stream of streams) {
      const entries = (await stack.ledger.listByStream(stream, { limit: 100 })).sort((a, b) => Number(a.ref.split('.w')[1]) - Number(b.ref.split('.w')[1]));
      expect(entries.map((e) => e.outcome)).toEqual(entries.map(() => 'succeeded'));
      expect(entries.map((e) => Number(e.ref.split('.w')[1]))).toEqual(entries.map((_, i) => i + 1));
      expect(entries.reduce((sum, e) => sum + (e.window?.events ?? 0), 0)).toBe(appended.get(stream));
      // A window of repeated events does not move the watermark; none goes back.
      for (let i = 1; i < entries.length; i++) expect(Date.parse(entries[i]!.window!.until)).toBeGreaterThanOrEqual(Date.parse(entries[i - 1]!.window!.until));
    }
    const staging = await stack.pg.query<{ n: string }>("select count(*) as n from pg_tables where schemaname = 'sluice_staging'");
    expect(Number(staging.rows[0]!.n)).toBe(0);
    await kill9(second);
  }, 400_000);
});
