/**
 * The app's data-service clients, created once per app instance from the app settings (core/config/env-keys.ts):
 * Blob (landing, rejects), the PostgreSQL pool and the Cosmos DB ledger. A failed creation is not cached, so the
 * next call retries it.
 */
import type { CosmosClient } from '@azure/cosmos';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { Pool } from 'pg';
import { ENV_KEYS } from '../core/config';
import { SluiceError } from '../core/errors';
import { createBlobServiceClient, ensureContainer } from '../connectors/blob';
import { createCosmosClient, ensureLedgerContainer, Ledger } from '../connectors/cosmos';
import { createPgPool } from '../connectors/postgres';

function setting(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

let blobService: BlobServiceClient | undefined;

/** Locally `SLUICE_BLOB` holds a connection string; on Azure `SLUICE_BLOB__serviceUri` with the managed identity. */
export function getBlobService(): BlobServiceClient {
  if (blobService !== undefined) return blobService;
  const connectionString = setting(ENV_KEYS.blobConnection);
  const serviceUri = setting(`${ENV_KEYS.blobConnection}__serviceUri`);
  if (connectionString === undefined && serviceUri === undefined) {
    throw new SluiceError('ConfigInvalid', `Blob storage is not configured. To fix: set ${ENV_KEYS.blobConnection} (a connection string) ` +
      `or ${ENV_KEYS.blobConnection}__serviceUri (with the managed identity).`);
  }
  blobService = connectionString !== undefined ? createBlobServiceClient({ connectionString }) : createBlobServiceClient({ accountUrl: serviceUri! });
  return blobService;
}

const containers = new Map<string, Promise<ContainerClient>>();

/** A container of the Blob account, created on first use. */
export function getContainer(setting: string, fallback: string): Promise<ContainerClient> {
  const name = process.env[setting] || fallback;
  let container = containers.get(name);
  if (container === undefined) {
    const client = getBlobService().getContainerClient(name);
    container = ensureContainer(client).then(() => client);
    container.catch(() => containers.delete(name));
    containers.set(name, container);
  }
  return container;
}

export const getLandingContainer = (): Promise<ContainerClient> => getContainer(ENV_KEYS.landingContainer, 'landing');
export const getRejectsContainer = (): Promise<ContainerClient> => getContainer(ENV_KEYS.rejectsContainer, 'rejects');

let pool: Pool | undefined;

/**
 * The PostgreSQL pool from `SLUICE_PG_CONNECTION_STRING`. Entra token auth from the SLUICE_PG_* parts is not wired
 * here yet: without a connection string the load fails with ConfigInvalid naming the setting.
 */
export function getPgPool(): Pool {
  if (pool !== undefined) return pool;
  const connectionString = setting(ENV_KEYS.postgresConnectionString);
  if (connectionString === undefined) {
    throw new SluiceError('ConfigInvalid', `The PostgreSQL sink needs ${ENV_KEYS.postgresConnectionString}. To fix: set it to postgres://user:password@host:port/db.`);
  }
  pool = createPgPool({ connectionString, applicationName: 'sluice-loader' });
  return pool;
}

let ledger: Promise<Ledger> | undefined;

/** The window ledger (container `ledger`, partition key /stream) in the `SLUICE_COSMOS_DATABASE` database. */
export function getLedger(): Promise<Ledger> {
  ledger ??= openLedger().catch((error: unknown) => {
    ledger = undefined;
    throw error;
  });
  return ledger;
}

let cosmosClient: CosmosClient | undefined;

/** The Cosmos DB account of the ledger and of Cosmos targets: the account key locally, the managed identity on Azure. */
export function getCosmosClient(): CosmosClient {
  if (cosmosClient !== undefined) return cosmosClient;
  const endpoint = setting(ENV_KEYS.cosmosEndpoint);
  if (endpoint === undefined) {
    throw new SluiceError('ConfigInvalid', `Cosmos DB is not configured: ${ENV_KEYS.cosmosEndpoint} is not set. To fix: set it to the Cosmos DB account endpoint.`);
  }
  const key = setting(ENV_KEYS.cosmosKey);
  const endpointDiscovery = process.env[ENV_KEYS.cosmosEndpointDiscovery] !== 'false';
  cosmosClient = key === undefined ? createCosmosClient({ endpoint, endpointDiscovery }) : createCosmosClient({ endpoint, key, endpointDiscovery });
  return cosmosClient;
}

async function openLedger(): Promise<Ledger> {
  const { database } = await getCosmosClient().databases.createIfNotExists({ id: setting(ENV_KEYS.cosmosDatabase) ?? 'sluice' });
  return new Ledger(await ensureLedgerContainer(database));
}
