/**
 * Function keys for authLevel `function` and `admin`, as on Azure: a master key (admin and function routes) and
 * host function keys (function routes). Taken from the settings `SLUICE_HOST_MASTER_KEY` /
 * `SLUICE_HOST_FUNCTION_KEY` when set, else generated once per data directory and kept in `host-keys.json`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LocalHostError } from '../errors';

export interface HostKeys {
  masterKey: string;
  /** Host-level function keys by name (`default`). */
  functionKeys: Record<string, string>;
  /** Where the keys came from, for the start banner. */
  source: string;
}

export const masterKeySetting = 'SLUICE_HOST_MASTER_KEY';
export const functionKeySetting = 'SLUICE_HOST_FUNCTION_KEY';

const keysFileSchema = z.object({ masterKey: z.string().min(16), functionKeys: z.record(z.string(), z.string().min(16)) });

const newKey = () => randomBytes(32).toString('base64url');

export function loadHostKeys(dataDir: string, env: NodeJS.ProcessEnv): HostKeys {
  const fromSettings = env[masterKeySetting];
  if (fromSettings !== undefined && fromSettings !== '') {
    const functionKey = env[functionKeySetting];
    return {
      masterKey: fromSettings,
      functionKeys: functionKey === undefined || functionKey === '' ? {} : { default: functionKey },
      source: `settings ${masterKeySetting}/${functionKeySetting}`,
    };
  }
  const file = path.join(dataDir, 'host-keys.json');
  if (existsSync(file)) {
    const parsed = keysFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      throw new LocalHostError('ConfigInvalid', `${file} is not a valid keys file. To fix: delete it; the host generates new keys.`);
    }
    return { ...parsed.data, source: file };
  }
  const keys = { masterKey: newKey(), functionKeys: { default: newKey() } };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { ...keys, source: file };
}

function sameKey(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Azure's rule: anonymous needs nothing, function accepts a function or the master key, admin only the master key. */
export function isAuthorized(authLevel: string, presentedKey: string | undefined, keys: HostKeys): boolean {
  const level = authLevel.toLowerCase();
  if (level === 'anonymous') return true;
  if (presentedKey === undefined || presentedKey === '') return false;
  if (sameKey(presentedKey, keys.masterKey)) return true;
  if (level === 'admin') return false;
  return Object.values(keys.functionKeys).some((key) => sameKey(presentedKey, key));
}
