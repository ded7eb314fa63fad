/**
 * Cosmos DB client factory: account key locally (the stand-in), Entra credential on Azure
 * (DefaultAzureCredential unless given). Endpoint discovery must be off for the local stand-in: its account
 * document advertises https:// endpoints, and with discovery on the SDK switches to TLS and fails.
 */
import { CosmosClient } from '@azure/cosmos';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { SluiceError } from '../../core/errors';

export type CreateCosmosClientOptions = { endpoint: string; endpointDiscovery?: boolean } & (
  | { key: string }
  | { credential?: TokenCredential }
);

export function createCosmosClient(options: CreateCosmosClientOptions): CosmosClient {
  if (!/^https?:\/\//.test(options.endpoint)) {
    throw new SluiceError('ConfigInvalid', `Cosmos DB endpoint ${JSON.stringify(options.endpoint)} is not an http(s) URL. ` +
      'To fix: set SLUICE_COSMOS_ENDPOINT to https://<account>.documents.azure.com:443/.');
  }
  const connectionPolicy = { enableEndpointDiscovery: options.endpointDiscovery ?? true };
  if ('key' in options) return new CosmosClient({ endpoint: options.endpoint, key: options.key, connectionPolicy });
  return new CosmosClient({
    endpoint: options.endpoint,
    aadCredentials: options.credential ?? new DefaultAzureCredential(),
    connectionPolicy,
  });
}
