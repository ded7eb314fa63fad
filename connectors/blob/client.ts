/**
 * One factory for Blob clients: a connection string locally (Azurite) or an account URL with an Entra
 * credential on Azure (DefaultAzureCredential unless another is given; shared keys stay disabled there).
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { SluiceError } from '../../core/errors';

export type CreateBlobServiceClientOptions =
  | { connectionString: string }
  | { accountUrl: string; credential?: TokenCredential };

export function createBlobServiceClient(options: CreateBlobServiceClientOptions): BlobServiceClient {
  if ('connectionString' in options) {
    if (options.connectionString.trim() === '') {
      throw new SluiceError('ConfigInvalid', 'Blob connection string is empty. To fix: set SLUICE_BLOB_CONNECTION_STRING ' +
        'or configure an account URL with a managed identity.');
    }
    return BlobServiceClient.fromConnectionString(options.connectionString);
  }
  if (!/^https?:\/\//.test(options.accountUrl)) {
    throw new SluiceError('ConfigInvalid', `Blob account URL ${JSON.stringify(options.accountUrl)} is not an http(s) URL. ` +
      'To fix: use https://<account>.blob.core.windows.net.');
  }
  return new BlobServiceClient(options.accountUrl, options.credential ?? new DefaultAzureCredential());
}
