/**
 * Configuration items: the runtime store and the management API handle the configuration one named item at a
 * time (`/api/config/{kind}/{name}`). Each kind validates with the same schema as the file configuration.
 */
import { z } from 'zod';
import { SluiceError } from '../errors';
import { notificationTargetSchema } from './notification';
import { formatPath } from './parse';
import { pipelineSchema } from './pipeline';
import { semaphoreSchema, streamPolicySchema } from './policy';
import { sluiceConfigSchema, type SluiceConfig } from './schema';

/** Item kinds, named like the keys of the file configuration. */
export const CONFIG_KINDS = ['pipelines', 'semaphores', 'streamPolicies', 'notificationTargets'] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

export const configKindSchema = z.enum(CONFIG_KINDS);

export const configItemSchemas = {
  pipelines: pipelineSchema,
  semaphores: semaphoreSchema,
  streamPolicies: streamPolicySchema,
  notificationTargets: notificationTargetSchema,
} as const;

export type ConfigItem = SluiceConfig[ConfigKind][number];

/** Item names in URLs: semaphores are `<kind>:<name>` (their entity key), other kinds just `<name>`. */
export const ITEM_NAME = /^(?:(?:source|target):)?[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** The name an item is stored and addressed under. */
export function itemName(kind: ConfigKind, item: ConfigItem): string {
  if (kind === 'semaphores') {
    const s = item as SluiceConfig['semaphores'][number];
    return `${s.kind}:${s.name}`;
  }
  return item.name;
}

/** The body fields the URL name implies, so a body may leave them out. */
function fieldsFromName(kind: ConfigKind, name: string): Record<string, string> {
  if (kind !== 'semaphores') return { name };
  const at = name.indexOf(':');
  return at < 0 ? { name } : { kind: name.slice(0, at), name: name.slice(at + 1) };
}

export interface ItemIssue {
  /** Field path inside the item, e.g. `capacity` or `target.table`. */
  target: string;
  message: string;
}

/**
 * Validates one item for `kind` and `name`. Fields implied by the name may be omitted from the body; if given they
 * must agree with it. Throws `ConfigInvalid` with `ids.target` naming the first bad field.
 */
export function parseConfigItem(kind: ConfigKind, name: string, body: unknown): ConfigItem {
  if (!ITEM_NAME.test(name) || (kind === 'semaphores') !== name.includes(':')) {
    const shape = kind === 'semaphores' ? '"source:<name>" or "target:<name>"' : 'letters, digits, "_", "." or "-"';
    throw invalid('name', `Config item name ${JSON.stringify(name)} is not valid for ${kind}. To fix: use ${shape} (at most 63 characters after the prefix).`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('(root)', `Config item ${kind}/${name}: the body is not a JSON object. To fix: send the item as one JSON object.`);
  }
  const implied = fieldsFromName(kind, name);
  for (const [field, value] of Object.entries(implied)) {
    const given = (body as Record<string, unknown>)[field];
    if (given !== undefined && given !== value) {
      throw invalid(field, `Config item ${kind}/${name}: "${field}" is ${JSON.stringify(given)} but the URL says ${JSON.stringify(value)}. To fix: make them agree or leave "${field}" out of the body.`);
    }
  }
  const result = configItemSchemas[kind].safeParse({ ...body, ...implied }, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ target: formatPath(issue.path), message: issue.message }));
  const first = issues[0] as ItemIssue;
  const text = issues.map((i) => `"${i.target}": ${i.message}`).join('; ');
  throw invalid(first.target, `Config item ${kind}/${name} is invalid: ${text}. To fix: correct the named field${issues.length > 1 ? 's' : ''} and send it again.`);
}

function invalid(target: string, message: string): SluiceError {
  return new SluiceError('ConfigInvalid', message, { ids: { target } });
}

export interface ItemChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

/** Field-level differences between two JSON values (objects compared per key, arrays and scalars whole). */
export function diffItems(before: unknown, after: unknown, path: readonly string[] = []): ItemChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffItems(before[key], after[key], [...path, key]));
  }
  if (canonicalJson(before) === canonicalJson(after)) return [];
  const change: ItemChange = { path: formatPath(path) };
  if (before !== undefined) change.from = before;
  if (after !== undefined) change.to = after;
  return [change];
}

/** JSON with object keys sorted, so equal items compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  ) ?? 'undefined';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Builds a full configuration from the bootstrap file plus stored items (a stored item replaces the same name). */
export function mergeConfigItems(bootstrap: SluiceConfig, stored: ReadonlyArray<{ kind: ConfigKind; item: ConfigItem }>): Record<ConfigKind, ConfigItem[]> {
  const out = {} as Record<ConfigKind, ConfigItem[]>;
  for (const kind of CONFIG_KINDS) {
    const byName = new Map<string, ConfigItem>();
    for (const item of bootstrap[kind]) byName.set(itemName(kind, item), item);
    for (const entry of stored) if (entry.kind === kind) byName.set(itemName(kind, entry.item), entry.item);
    out[kind] = [...byName.values()];
  }
  return out;
}

/**
 * Checks that the configuration stays valid as a whole (references between items, uniqueness) when `name` is set
 * to `item`, or removed when `item` is undefined. Throws `ConfigInvalid` naming the field (inside the changed item
 * when the problem is there, else the full path of the item that would break).
 */
export function checkItemInContext(
  bootstrap: SluiceConfig,
  stored: ReadonlyArray<{ kind: ConfigKind; item: ConfigItem }>,
  kind: ConfigKind,
  name: string,
  item: ConfigItem | undefined,
): void {
  const others = stored.filter((entry) => entry.kind !== kind || itemName(kind, entry.item) !== name);
  const merged = mergeConfigItems(bootstrap, item === undefined ? others : [...others, { kind, item }]);
  if (item === undefined) merged[kind] = merged[kind].filter((i) => itemName(kind, i) !== name);
  const result = sluiceConfigSchema.safeParse(merged);
  if (result.success) return;
  const index = item === undefined ? -1 : merged[kind].findIndex((i) => itemName(kind, i) === name);
  const issues = result.error.issues;
  const own = issues.find((issue) => issue.path[0] === kind && issue.path[1] === index);
  const issue = own ?? issues[0];
  if (issue === undefined) return;
  const target = own === undefined ? formatPath(issue.path) : formatPath(issue.path.slice(2));
  const where = own === undefined ? `"${target}" of the resulting configuration` : `"${target}"`;
  const action = item === undefined ? `Deleting ${kind}/${name}` : `Config item ${kind}/${name}`;
  throw invalid(target, `${action} would make the configuration invalid at ${where}: ${issue.message}. ` +
    `To fix: ${item === undefined ? 'first change or delete the items that refer to it' : 'create the referenced items first, or correct the name'}.`);
}
