/**
 * The app's host.json and local.settings.json, as the Azure host and Core Tools read them: `Values` become
 * environment variables (variables already set win, so CI and shells can override), and `%NAME%` in binding
 * settings resolves against them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LocalHostError } from './errors';

const hostJsonSchema = z.looseObject({
  version: z.string().optional(),
  extensions: z
    .looseObject({
      http: z.looseObject({ routePrefix: z.string().optional() }).optional(),
    })
    .optional(),
});

export type HostJson = z.infer<typeof hostJsonSchema>;

const localSettingsSchema = z.looseObject({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  Host: z.looseObject({ LocalHttpPort: z.coerce.number().int().min(0).max(65535).optional() }).optional(),
});

export interface HostConfig {
  hostJson: HostJson;
  /** `extensions.http.routePrefix`, default `api`; empty means routes sit at the root. */
  routePrefix: string;
  /** `Values` of local.settings.json, as strings. */
  settings: Record<string, string>;
  /** `Host.LocalHttpPort` of local.settings.json, as Core Tools reads it. */
  localHttpPort: number | undefined;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LocalHostError('ConfigInvalid', `${file} is not valid JSON: ${(error as Error).message}. To fix: correct the file.`);
  }
}

export function loadHostConfig(appDir: string): HostConfig {
  const hostJsonPath = path.join(appDir, 'host.json');
  let hostJson: HostJson = {};
  if (existsSync(hostJsonPath)) {
    const parsed = hostJsonSchema.safeParse(readJson(hostJsonPath));
    if (!parsed.success) {
      throw new LocalHostError('ConfigInvalid', `${hostJsonPath}: ${z.prettifyError(parsed.error)}. To fix: follow the host.json v2 schema.`);
    }
    hostJson = parsed.data;
  }
  const settingsPath = path.join(appDir, 'local.settings.json');
  const settings: Record<string, string> = {};
  let localHttpPort: number | undefined;
  if (existsSync(settingsPath)) {
    const parsed = localSettingsSchema.safeParse(readJson(settingsPath));
    if (!parsed.success) {
      throw new LocalHostError('ConfigInvalid', `${settingsPath}: ${z.prettifyError(parsed.error)}. To fix: "Values" maps names to strings.`);
    }
    if (parsed.data.IsEncrypted === true) {
      throw new LocalHostError('ConfigInvalid', `${settingsPath} is encrypted. To fix: run "func settings decrypt" or set "IsEncrypted": false.`);
    }
    for (const [name, value] of Object.entries(parsed.data.Values ?? {})) settings[name] = String(value);
    localHttpPort = parsed.data.Host?.LocalHttpPort;
  }
  const prefix = hostJson.extensions?.http?.routePrefix ?? 'api';
  return { hostJson, routePrefix: prefix.replace(/^\/+|\/+$/g, ''), settings, localHttpPort };
}

/** Copies settings into `env` without overwriting variables that are already set. */
export function applySettings(settings: Record<string, string>, env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(settings)) if (env[name] === undefined) env[name] = value;
}

/** Resolves `%NAME%` app-setting references, as binding expressions on Azure. */
export function resolveSettingReferences(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(/%([^%]+)%/g, (_match, name: string) => {
    const value = env[name];
    if (value === undefined) {
      throw new LocalHostError(
        'ConfigInvalid',
        `${where} refers to the app setting "%${name}%", which is not set. To fix: add "${name}" to local.settings.json Values or the environment.`,
      );
    }
    return value;
  });
}
