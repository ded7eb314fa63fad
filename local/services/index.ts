/**
 * Starts the local stand-ins for Sluice's Azure services (Azurite blob, PostgreSQL, Cosmos DB stand-in) in
 * parallel on 127.0.0.1, and hands out the app settings that point the app at them.
 */
import { join, resolve } from 'node:path';
import { startAzurite, type AzuriteService } from './azurite';
import { startCosmos, type CosmosService } from './cosmos';
import { startPostgres, type PostgresService } from './postgres';

export type { AzuriteService } from './azurite';
export type { CosmosService } from './cosmos';
export type { PostgresService } from './postgres';

export interface LocalServicePorts {
  /** 0 or undefined = a free port chosen at start. */
  blob?: number;
  postgres?: number;
  cosmos?: number;
}

export interface StartLocalServicesOptions {
  /**
   * Root folder for persisted data (`azurite/`, `postgres/`); a second start reuses it. Undefined = Azurite in
   * memory and PostgreSQL in a temp folder, both gone after stop (tests). Cosmos is always in memory.
   */
  dataDir?: string;
  ports?: LocalServicePorts;
  /** Receives each service's log output, tagged with its name. */
  onOutput?: (service: 'azurite' | 'postgres', text: string) => void;
}

export interface LocalServices {
  blob: AzuriteService;
  postgres: PostgresService;
  cosmos: CosmosService;
  /** App settings (names as the app reads them, see docs/local-development.md) pointing at these services. */
  env(): Record<string, string>;
  /** Stops every service; safe to call more than once and concurrently. */
  stop(): Promise<void>;
}

/** App setting names the launcher fills in. */
export const localServiceSettings = {
  webJobsStorage: 'AzureWebJobsStorage',
  blobConnectionString: 'SLUICE_BLOB',
  postgresConnectionString: 'SLUICE_PG_CONNECTION_STRING',
  cosmosEndpoint: 'SLUICE_COSMOS_ENDPOINT',
  cosmosKey: 'SLUICE_COSMOS_KEY',
  cosmosEndpointDiscovery: 'SLUICE_COSMOS_ENDPOINT_DISCOVERY',
} as const;

export async function startLocalServices(options: StartLocalServicesOptions = {}): Promise<LocalServices> {
  const root = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  const results = await Promise.allSettled([
    startAzurite({
      dataDir: root && join(root, 'azurite'),
      port: options.ports?.blob,
      onOutput: options.onOutput && ((text) => options.onOutput?.('azurite', text)),
    }),
    startPostgres({
      dataDir: root && join(root, 'postgres'),
      port: options.ports?.postgres,
      onOutput: options.onOutput && ((text) => options.onOutput?.('postgres', text)),
    }),
    startCosmos({ port: options.ports?.cosmos }),
  ]);
  const [blob, postgres, cosmos] = results;
  if (blob.status === 'rejected' || postgres.status === 'rejected' || cosmos.status === 'rejected') {
    // Stop whatever did start, then report every failure, not just the first.
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    throw new Error(`Local services did not start:\n- ${reasons.join('\n- ')}`);
  }
  let stopping: Promise<void> | undefined;
  return {
    blob: blob.value,
    postgres: postgres.value,
    cosmos: cosmos.value,
    env: () => ({
      [localServiceSettings.webJobsStorage]: blob.value.connectionString,
      [localServiceSettings.blobConnectionString]: blob.value.connectionString,
      [localServiceSettings.postgresConnectionString]: postgres.value.connectionString,
      [localServiceSettings.cosmosEndpoint]: cosmos.value.endpoint,
      [localServiceSettings.cosmosKey]: cosmos.value.key,
      [localServiceSettings.cosmosEndpointDiscovery]: 'false',
    }),
    stop: () => {
      stopping ??= Promise.all([blob.value.stop(), postgres.value.stop(), cosmos.value.stop()]).then(() => undefined);
      return stopping;
    },
  };
}
