/**
 * Connections of the ELT load activities, opened once per app instance from the app settings: Blob from the
 * SLUICE_BLOB connection (a connection string, or `SLUICE_BLOB__serviceUri` with the managed identity) and
 * PostgreSQL from SLUICE_PG_CONNECTION_STRING.
 */
import type { BlobServiceClient } from '@azure/storage-blob';
import type { Pool } from 'pg';
import { createBlobServiceClient } from '../../connectors/blob';
import { createPgPool } from '../../connectors/postgres';
import { ENV_KEYS } from '../../core/config';
import { SluiceError } from '../../core/errors';

let blobs: BlobServiceClient | undefined;
let pool: Pool | undefined;

export function eltBlobService(): BlobServiceClient {
  if (blobs !== undefined) return blobs;
  const connectionString = process.env[ENV_KEYS.blobConnection];
  const serviceUri = process.env[`${ENV_KEYS.blobConnection}__serviceUri`];
  if (connectionString !== undefined && connectionString !== '') blobs = createBlobServiceClient({ connectionString });
  else if (serviceUri !== undefined && serviceUri !== '') blobs = createBlobServiceClient({ accountUrl: serviceUri });
  else throw new SluiceError('ConfigInvalid', `ELT loads need Blob storage: neither ${ENV_KEYS.blobConnection} nor ${ENV_KEYS.blobConnection}__serviceUri is set. To fix: set one of them.`);
  return blobs;
}

export function eltPgPool(): Pool {
  if (pool !== undefined) return pool;
  const connectionString = process.env[ENV_KEYS.postgresConnectionString];
  if (connectionString === undefined || connectionString === '') {
    throw new SluiceError('ConfigInvalid', `ELT loads into PostgreSQL need ${ENV_KEYS.postgresConnectionString}. To fix: set it (Entra token auth for loads is not wired yet).`);
  }
  pool = createPgPool({ connectionString, applicationName: 'sluice-elt' });
  return pool;
}

export function landingContainerName(): string {
  return process.env[ENV_KEYS.landingContainer] || 'landing';
}

export function rejectsContainerName(): string {
  return process.env[ENV_KEYS.rejectsContainer] || 'rejects';
}
