import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { startLocalServices } from '../../../local/services';
import { waitUntilReady } from '../../../local/services/readiness';

/** Running, not a zombie (a container's PID 1 may be slow to reap reparented processes). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => done(false));
  });
}

describe('local services lifecycle', () => {
  it('stop() releases every port, removes the temporary PostgreSQL folder and can be called twice', async () => {
    const services = await startLocalServices();
    const ports = [services.blob.port, services.postgres.port, services.cosmos.port];
    expect(await Promise.all(ports.map(portAccepts))).toEqual([true, true, true]);

    await Promise.all([services.stop(), services.stop()]);
    await services.stop();
    expect(await Promise.all(ports.map(portAccepts))).toEqual([false, false, false]);
    await expect(access(services.postgres.dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('a guarded service stops when the process that started it is killed with SIGKILL', async () => {
    // Compile the module under test for a plain child `node` (no jest), which we then kill -9.
    const work = await mkdtemp(join(tmpdir(), 'sluice-guard-'));
    try {
      const source = await readFile(resolve(__dirname, '../../../local/services/guarded-process.ts'), 'utf8');
      const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
      await writeFile(join(work, 'guarded-process.js'), js);
      const launcher = `
        const { startGuardedProcess } = require(${JSON.stringify(join(work, 'guarded-process.js'))});
        const service = startGuardedProcess({ name: 'sleeper', command: process.execPath, stopSignal: 'SIGTERM',
          args: ['-e', 'console.log("service-pid=" + process.pid); setInterval(() => {}, 1e9)'],
          onOutput: (text) => process.stdout.write(text) });
        console.log('watchdog-pid=' + service.pid);
        setInterval(() => {}, 1e9);`;
      const parent = spawn(process.execPath, ['-e', launcher], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      parent.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      const pids = await waitUntilReady(async () => {
        const service = /service-pid=(\d+)/.exec(output)?.[1];
        const watchdog = /watchdog-pid=(\d+)/.exec(output)?.[1];
        if (!service || !watchdog) throw new Error(`no pids yet in ${JSON.stringify(output)}`);
        return [Number(service), Number(watchdog)];
      }, { what: 'the launcher child', timeoutInMs: 10000 });
      expect(await Promise.all(pids.map(isAlive))).toEqual([true, true]);

      parent.kill('SIGKILL');
      await waitUntilReady(async () => {
        if ((await Promise.all(pids.map(isAlive))).some(Boolean)) throw new Error('still alive');
      }, { what: 'the orphaned service to stop', timeoutInMs: 10000 });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
