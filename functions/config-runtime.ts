/**
 * The running app's view of the configuration: the file configuration (SLUICE_CONFIG) is the bootstrap, items in
 * the Cosmos DB configuration store replace or add to it by name. The merged result is cached for
 * CONFIG_CACHE_TTL_IN_MS, so a change through the management API is picked up without a restart within that time.
 */
import { ENV_KEYS, mergeConfigItems, parseConfig, parseConfigJson, type SluiceConfig } from '../core/config';
import { SluiceError } from '../core/errors';
import { ConfigStore, createCosmosClient, ensureConfigContainer } from '../connectors/cosmos';

/** How long the merged configuration is reused before the store is read again. */
export const CONFIG_CACHE_TTL_IN_MS = 5_000;

let store: Promise<ConfigStore> | undefined;

/** The store of this app instance, created on first use from the app settings. */
export function getConfigStore(): Promise<ConfigStore> {
  store ??= openStore().catch((error: unknown) => {
    store = undefined;
    throw error;
  });
  return store;
}

async function openStore(): Promise<ConfigStore> {
  const endpoint = process.env[ENV_KEYS.cosmosEndpoint];
  if (endpoint === undefined || endpoint === '') {
    throw new SluiceError('ConfigInvalid', `The configuration store needs ${ENV_KEYS.cosmosEndpoint}. To fix: set it to the Cosmos DB account endpoint.`);
  }
  const key = process.env[ENV_KEYS.cosmosKey];
  const endpointDiscovery = process.env[ENV_KEYS.cosmosEndpointDiscovery] !== 'false';
  const client = key === undefined || key === '' ? createCosmosClient({ endpoint, endpointDiscovery }) : createCosmosClient({ endpoint, key, endpointDiscovery });
  const databaseId = process.env[ENV_KEYS.cosmosDatabase] || 'sluice';
  const { database } = await client.databases.createIfNotExists({ id: databaseId });
  return new ConfigStore(await ensureConfigContainer(database, process.env[ENV_KEYS.configContainer] || 'config'));
}

/** The bootstrap configuration from SLUICE_CONFIG (empty when unset). */
export function bootstrapConfig(): SluiceConfig {
  const text = process.env[ENV_KEYS.config];
  return text === undefined || text.trim() === '' ? parseConfig({}) : parseConfigJson(text);
}

let cached: { config: SluiceConfig; expiresAtMs: number } | undefined;

/** Bootstrap + stored items, validated with the full schema (cross references included), cached for the TTL. */
export async function getEffectiveConfig(nowMs: number = Date.now()): Promise<SluiceConfig> {
  if (cached !== undefined && nowMs < cached.expiresAtMs) return cached.config;
  const stored = await (await getConfigStore()).listAll();
  const config = parseConfig(mergeConfigItems(bootstrapConfig(), stored), { source: 'the bootstrap file plus the configuration store' });
  cached = { config, expiresAtMs: nowMs + CONFIG_CACHE_TTL_IN_MS };
  return config;
}

/** Drops the cache after a write through this instance, so it sees its own change at once. */
export function invalidateEffectiveConfig(): void {
  cached = undefined;
}
