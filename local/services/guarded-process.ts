/**
 * Child processes that cannot outlive their parent. Each service process runs under a tiny Node watchdog
 * whose stdin is a pipe from us: when we stop it, or when our process dies for any reason (even SIGKILL,
 * since the kernel closes the pipe), the watchdog sends the service its stop signal and exits with it.
 * The watchdog sits in its own process group, so a terminal Ctrl-C reaches only us and we stop in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface GuardedProcessOptions {
  /** Short name used in messages, e.g. `postgres`. */
  name: string;
  command: string;
  args: string[];
  /** Signal that makes the service shut down cleanly (postgres: SIGINT = fast shutdown). */
  stopSignal: NodeJS.Signals;
  env?: NodeJS.ProcessEnv;
  /** Run the service as this user (used when we are root and the service refuses root). */
  uid?: number;
  gid?: number;
  /**
   * Folder the watchdog deletes after stopping the service (ephemeral data), also when we died first. Not
   * deleted when the service exits on its own, so the caller can retry with the same folder.
   */
  removeOnExit?: string;
  /** Receives the service's stdout and stderr as text. */
  onOutput?: (text: string) => void;
}

export interface GuardedProcess {
  readonly pid: number;
  /** The last few KiB of output, for error messages. */
  recentOutput(): string;
  /** Resolves with the exit code (or signal name) once the service and its watchdog have exited. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** Stops the service and waits for it to exit. Idempotent. */
  stop(): Promise<string>;
}

// Runs inside the watchdog: argv[1] is a JSON spec. Kept in plain JS because it runs with `node -e`.
const watchdogSource = `
const { spawn } = require('node:child_process');
const spec = JSON.parse(process.argv[1]);
const child = spawn(spec.command, spec.args, { stdio: ['ignore', 'inherit', 'inherit'], uid: spec.uid, gid: spec.gid });
let stopping = false;
const stop = () => { if (!stopping) { stopping = true; child.kill(spec.stopSignal); } };
child.on('error', (err) => { process.stderr.write('watchdog: ' + err.message + '\\n'); process.exit(127); });
child.on('exit', (code) => {
  if (stopping && spec.removeOnExit) require('node:fs').rmSync(spec.removeOnExit, { recursive: true, force: true });
  process.exit(code === null ? 128 : code);
});
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, stop);
`;

const outputLimitInChars = 8192;

export function startGuardedProcess(options: GuardedProcessOptions): GuardedProcess {
  const spec = {
    command: options.command,
    args: options.args,
    stopSignal: options.stopSignal,
    uid: options.uid,
    gid: options.gid,
    removeOnExit: options.removeOnExit,
  };
  const watchdog: ChildProcess = spawn(process.execPath, ['-e', watchdogSource, JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: options.env ?? process.env,
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-outputLimitInChars);
    options.onOutput?.(text);
  };
  watchdog.stdout?.on('data', collect);
  watchdog.stderr?.on('data', collect);

  let exitedFlag = false;
  const exited = new Promise<string>((resolve) => {
    watchdog.on('exit', (code, signal) => {
      exitedFlag = true;
      resolve(code === null ? String(signal) : String(code));
    });
    watchdog.on('error', (err) => {
      exitedFlag = true;
      collect(Buffer.from(`${options.name}: could not start the watchdog: ${err.message}\n`));
      resolve('spawn-error');
    });
  });
  // Our event loop must not wait for the service: tests and `npm start` decide when to stop it.
  watchdog.unref();
  for (const stream of [watchdog.stdin, watchdog.stdout, watchdog.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  return {
    pid: watchdog.pid ?? -1,
    recentOutput: () => output,
    exited,
    hasExited: () => exitedFlag,
    stop: () => {
      if (!exitedFlag) {
        // Keep the event loop alive until the exit is observed, then close the pipe the watchdog listens on.
        watchdog.ref();
        watchdog.stdin?.end();
      }
      return exited;
    },
  };
}
