/** Resolves a blob URL to its container and name in the app's Blob account (refs elsewhere are refused). */
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { SluiceError } from '../core/errors';

export function blobOfUrl(service: BlobServiceClient, url: string): { container: ContainerClient; name: string } {
  const base = service.url.endsWith('/') ? service.url : `${service.url}/`;
  const path = url.startsWith(base) ? url.slice(base.length).split('?')[0]! : '';
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw new SluiceError('SourceFailed', `Blob ref ${JSON.stringify(url)} is not a blob of the configured account (${base}). ` +
      'To fix: land the data in the Sluice storage account and send its URL.', { ids: { blob: url } });
  }
  return { container: service.getContainerClient(decodeURIComponent(path.slice(0, slash))), name: decodeURIComponent(path.slice(slash + 1)) };
}
