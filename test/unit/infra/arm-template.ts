// Reads the ARM JSON that scripts/infra-check.sh compiles from infra/ (building it first when it is missing or
// older than any Bicep source) and flattens nested module deployments so tests can inspect every resource.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');
const infraDir = join(repoRoot, 'infra');
const outDir = join(infraDir, 'out');

export interface ArmTemplate {
  parameters?: Record<string, { type: string }>;
  variables?: Record<string, unknown>;
  resources?: ArmResource[] | Record<string, ArmResource>;
  outputs?: Record<string, { type: string; value: unknown }>;
}

export interface ArmResource {
  type: string;
  name: string;
  scope?: string;
  location?: string;
  properties?: Record<string, unknown> & { template?: ArmTemplate };
  [key: string]: unknown;
}

/** A resource together with the (nested) template that declares it, for resolving variables('...'). */
export interface FoundResource {
  resource: ArmResource;
  template: ArmTemplate;
  /** Module path from main.bicep, e.g. "main/storage". */
  module: string;
}

function newestSourceMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== outDir) newest = Math.max(newest, newestSourceMtimeMs(path));
    } else {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** Compiles infra/ with the same script CI runs (npm run infra:check) unless the output is current. */
export function ensureCompiled(): void {
  const main = join(outDir, 'main.json');
  if (existsSync(main) && statSync(main).mtimeMs >= newestSourceMtimeMs(infraDir)) return;
  execFileSync('bash', [join(repoRoot, 'scripts', 'infra-check.sh')], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CI: process.env.CI ?? 'true' },
  });
}

export function readJson<T>(relativeToOut: string): T {
  return JSON.parse(readFileSync(join(outDir, relativeToOut), 'utf8')) as T;
}

function resourcesOf(template: ArmTemplate): ArmResource[] {
  const resources = template.resources ?? [];
  return Array.isArray(resources) ? resources : Object.values(resources);
}

/** Every resource in the template and in every nested deployment, depth first. */
export function allResources(template: ArmTemplate, module = 'main'): FoundResource[] {
  const found: FoundResource[] = [];
  for (const resource of resourcesOf(template)) {
    found.push({ resource, template, module });
    const nested = resource.properties?.template;
    if (resource.type === 'Microsoft.Resources/deployments' && nested) {
      const name = /'([^']+)'/.exec(resource.name)?.[1] ?? resource.name;
      found.push(...allResources(nested, `${module}/${name}`));
    }
  }
  return found;
}

/** Every template, the root and each nested deployment's, with its module path. */
export function allTemplates(template: ArmTemplate, module = 'main'): { template: ArmTemplate; module: string }[] {
  return [
    { template, module },
    ...allResources(template, module)
      .filter((f) => f.resource.type === 'Microsoft.Resources/deployments' && f.resource.properties?.template)
      .flatMap((f) => allTemplates(f.resource.properties!.template!, `${f.module}/${/'([^']+)'/.exec(f.resource.name)?.[1]}`)),
  ];
}

/**
 * Expands variables('x') references inside a template expression, recursively, into one string: enough to see
 * every literal (role ids, setting names) an expression can evaluate to, whichever branch of an if() is taken.
 */
export function expandVariables(value: unknown, template: ArmTemplate, seen = new Set<string>()): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/variables\('([^']+)'\)/g, (whole, name: string) => {
    if (seen.has(name) || !(name in (template.variables ?? {}))) return whole;
    return expandVariables(template.variables![name], template, new Set([...seen, name]));
  });
}

/**
 * The settings an app settings expression unions together, merged: every setting either backend gets. Object
 * variables give names and values; inline single-pair createObject('NAME', value) calls give their names (the
 * value is then the raw expression, which still goes through the callers' checks).
 */
export function appSettingsOf(found: FoundResource): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  collectObjects(found.resource.properties, found.template, merged, new Set());
  const expression = JSON.stringify(found.resource.properties);
  for (const match of expression.matchAll(/createObject\('([A-Za-z0-9_]+)', /g)) merged[match[1]!] = expression;
  return merged;
}

function collectObjects(value: unknown, template: ArmTemplate, into: Record<string, unknown>, seen: Set<string>): void {
  if (typeof value === 'string') {
    for (const match of value.matchAll(/variables\('([^']+)'\)/g)) {
      const name = match[1]!;
      if (!seen.has(name)) collectObjects(template.variables?.[name], template, into, new Set([...seen, name]));
    }
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    Object.assign(into, value);
  }
}
