/**
 * Acceptance (issue 6) with the app on the local host as a child process over the sqlite task hub, the way
 * `npm run host` runs it: a host killed with SIGKILL in the middle of a load completes that load exactly after a
 * restart; blobs landing under a pipeline's `loadOnArrival` glob load once per version, a re-delivery of the same
 * version (the host's trigger receipts lost) starts nothing, and a re-upload loads again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { createBlobServiceClient, ensureContainer } from '../../../connectors/blob';
import { waitForFinished } from '../../support/load-status';
import { useLocalServices } from '../../support/local-services';
import { buildApp } from '../config/app-under-test';

const services = useLocalServices();
const bigRows = 120_000;
const functionKey = randomBytes(24).toString('base64url');
const pipeline = (name: string, source: Record<string, unknown>) => ({
  name, streams: [name], source: { kind: 'blob', container: 'landing', ...source },
  target: { kind: 'postgres', schema: 'lake', table: name }, targetSemaphore: 'pg',
  keyColumns: ['id'], versionColumn: 'version', columns: { id: 'bigint', version: 'bigint', note: 'text' },
  format: { kind: 'csv' }, maxRejectRatio: 0, targetChunkBytes: 192 * 1024, maxTargetPermits: 2,
});
const config = {
  semaphores: [{ kind: 'target', name: 'pg', capacity: 2 }],
  pipelines: [pipeline('events', { prefix: 'events/' }), pipeline('drops', { prefix: 'drops/', loadOnArrival: 'drops/*.csv' })],
};

interface HostChild {
  process: ChildProcess;
  url: string;
  /** Resolves with the first log line (stderr JSON) satisfying `match`, counting lines seen before the call. */
  waitForLog(match: (line: string) => boolean, timeoutInMs: number): Promise<string>;
  logs: string[];
}

/** The load id the blob trigger derives: functions/loads-on-arrival.ts arrivalLoadId. */
const arrivalLoadId = (blob: string, etag: string) => `load-${createHash('sha256').update(`landing/${blob}\n${etag}`).digest('hex').slice(0, 40)}`;

describe('ELT loads on the local host child process (sqlite task hub)', () => {
  let appDir: string;
  let dataDir: string;
  let pg: Client;
  const children: HostChild[] = [];

  beforeAll(async () => {
    appDir = buildApp();
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-elt-host-'));
    pg = new Client({ connectionString: services().postgres.connectionString });
    await pg.connect();
    const blobs = createBlobServiceClient({ connectionString: services().blob.connectionString });
    await ensureContainer(blobs.getContainerClient('landing'));
    await ensureContainer(blobs.getContainerClient('rejects'));
  }, 180_000);
  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) await kill9(child);
    await pg?.end();
    if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  async function startHostChild(): Promise<HostChild> {
    const child = spawn(process.execPath, ['--no-warnings', path.join(appDir, 'dist/local/host/cli.js'), '--app', appDir, '--port', '0', '--data-dir', dataDir], {
      env: {
        ...process.env, ...services().env(), SLUICE_CONFIG: JSON.stringify(config), SLUICE_TASK_HUB: 'SluiceEltRestart', SLUICE_COSMOS_DATABASE: 'sluice',
        SLUICE_LOADS_ON_ARRIVAL: 'true', SLUICE_HOST_MASTER_KEY: randomBytes(24).toString('base64url'), SLUICE_HOST_FUNCTION_KEY: functionKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
    createInterface({ input: child.stderr! }).on('line', (line) => {
      logs.push(line);
      for (const waiter of [...waiters]) {
        if (!waiter.match(line)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    });
    const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`The host exited (${code ?? signal}); logs:\n${logs.slice(-30).join('\n')}`))));
    exited.catch(() => undefined);
    const url = await Promise.race([exited, new Promise<string>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const found = /listening on (http:\/\/\S+)/.exec(line);
        if (found !== null) resolve(found[1]!);
      });
    })]);
    const host: HostChild = {
      process: child,
      url,
      logs,
      waitForLog: (match, timeoutInMs) => {
        const seen = logs.find(match);
        if (seen !== undefined) return Promise.resolve(seen);
        return Promise.race([exited, new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`No matching host log line within ${timeoutInMs} ms; last lines:\n${logs.slice(-20).join('\n')}`)), timeoutInMs);
          waiters.push({ match, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        })]);
      },
    };
    children.push(host);
    return host;
  }

  function kill9(child: HostChild): Promise<void> {
    return new Promise((resolve) => {
      child.process.once('exit', () => resolve());
      child.process.kill('SIGKILL');
    });
  }

  function stop(child: HostChild): Promise<void> {
    return new Promise((resolve) => {
      child.process.once('exit', () => resolve());
      child.process.kill('SIGTERM');
    });
  }

  const api = (host: HostChild, method: string, route: string, body?: unknown) => fetch(`${host.url}/api/${route}`, {
    method, headers: { 'x-functions-key': functionKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

  /** Waits until GET /api/loads/{id} shows a finished load (404 while the trigger has not started it yet). */
  async function waitForLoad(host: HostChild, loadId: string, timeoutInMs: number): Promise<{ runtimeStatus: string; output: unknown; ledger: unknown }> {
    const deadline = Date.now() + timeoutInMs;
    for (;;) {
      const response = await api(host, 'GET', `loads/${loadId}`);
      const body = (await response.json()) as { runtimeStatus?: string; output: unknown; ledger: unknown };
      if (response.status === 200 && ['Completed', 'Failed', 'Terminated'].includes(body.runtimeStatus ?? '')) return body as { runtimeStatus: string; output: unknown; ledger: unknown };
      if (Date.now() > deadline) {
        const related = host.logs.filter((line) => /loadsOnArrival|[Bb]lob|"level":"(warning|error)"/.test(line)).slice(-20);
        throw new Error(`Load ${loadId} did not finish within ${timeoutInMs} ms: ${response.status} ${JSON.stringify(body)}; host log lines about blobs and warnings:\n${related.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function upload(blob: string, text: string): Promise<string> {
    const landing = createBlobServiceClient({ connectionString: services().blob.connectionString }).getContainerClient('landing');
    const uploaded = await landing.getBlockBlobClient(blob).uploadData(Buffer.from(text));
    return uploaded.etag!;
  }

  const dropsCsv = (version: number) => `id,version,note\n1,${version},"first, v${version}"\n2,${version},"second ""v${version}"""\n`;

  it('completes a load exactly after kill -9 mid-load and a restart; loads on arrival once per blob version', async () => {
    let host = await startHostChild();

    // On arrival: the first version of drops/a.csv loads by itself.
    const v1 = await upload('drops/a.csv', dropsCsv(1));
    const first = await waitForLoad(host, arrivalLoadId('drops/a.csv', v1), 60_000);
    expect(first).toMatchObject({ runtimeStatus: 'Completed', output: { rows: 2, merge: { inserted: 2 } }, ledger: { outcome: 'succeeded', sources: [{ file: 'drops/a.csv', etag: v1 }] } });

    // A load of 120,000 rows (notes with commas, quotes, newlines) in chunks of 192 KiB; SIGKILL after 4 chunks.
    const lines = ['id,version,note'];
    const hash = createHash('md5');
    for (let id = 1; id <= bigRows; id++) {
      const note = `event ${id}, "x"${id % 5 === 0 ? '\nmore' : ''}`;
      lines.push(`${id},1,"${note.replaceAll('"', '""')}"`);
      hash.update(`${id === 1 ? '' : '\n'}${id}|${note}`);
    }
    await upload('events/big.csv', `${lines.join('\n')}\n`);
    const started = await api(host, 'POST', 'loads', { pipeline: 'events', blob: 'events/big.csv' });
    expect(started.status).toBe(202);
    const { id: loadId, statusQueryGetUri } = (await started.json()) as { id: string; statusQueryGetUri: string };
    let finished = 0;
    await host.waitForLog((line) => line.includes('sluice:elt chunk finished') && line.includes(loadId) && ++finished === 4, 120_000);
    await kill9(host);

    // A re-delivery of drops/a.csv at the same version: the host forgets its trigger receipts.
    rmSync(path.join(dataDir, 'blob-receipts.json'), { force: true });
    host = await startHostChild();
    const status = await waitForFinished(statusQueryGetUri.replace(/^http:\/\/[^/]+/, host.url), 240_000, 200);
    expect(status.runtimeStatus).toBe('Completed');
    const output = status.output as { rows: number; chunksTotal: number; merge: { inserted: number } };
    expect(output).toMatchObject({ rows: bigRows, rejects: 0, merge: { inserted: bigRows } });
    expect(output.chunksTotal).toBeGreaterThan(4);
    const loaded = await pg.query(`select count(*)::int as n, md5(string_agg(id || '|' || note, E'\\n' order by id)) as sum from lake.events`);
    expect(loaded.rows[0]).toEqual({ n: bigRows, sum: hash.digest('hex') });
    const staging = await pg.query(`select count(*)::int as n from pg_tables where schemaname = 'sluice_staging'`);
    expect(staging.rows[0]).toEqual({ n: 0 });
    // The permits the killed host's load held were released by the resumed load (same owner), none outlives it.
    const semaphore = (await (await api(host, 'GET', `semaphores/${encodeURIComponent('target:pg')}`)).json()) as { held: number; holders: unknown[] };
    expect(semaphore).toMatchObject({ held: 0, holders: [] });

    await host.waitForLog((line) => line.includes('load of this blob version exists; not started again') && line.includes(v1.replaceAll('"', '')), 60_000);
    // A re-upload is a new version: it loads again, and the newer rows win.
    const v2 = await upload('drops/a.csv', dropsCsv(2));
    const second = await waitForLoad(host, arrivalLoadId('drops/a.csv', v2), 60_000);
    expect(second).toMatchObject({ runtimeStatus: 'Completed', output: { rows: 2, merge: { updated: 2 } } });
    const drops = await pg.query('select id::int, version::int, note from lake.drops order by id');
    expect(drops.rows).toEqual([{ id: 1, version: 2, note: 'first, v2' }, { id: 2, version: 2, note: 'second "v2"' }]);
    expect(host.logs.filter((line) => line.includes('sluice:elt load started on arrival'))).toHaveLength(1);
    await stop(host);
  }, 600_000);
});
