/**
 * Blob reads: list a prefix, describe a blob, and open a byte range of one exact version (ETag condition),
 * so a chunk never mixes bytes of two uploads.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { SluiceError } from '../../core/errors';
import { translateBlobError } from './blob-errors';

export interface BlobInfo {
  name: string;
  size: number;
  /** Always in the quoted form (`"0x..."`): listings and some triggers give it unquoted, properties quoted. */
  etag: string;
  contentEncoding?: string;
}

/** One shape for an ETag: the quoted form the Blob service sends in the ETag header. */
export function quotedEtag(etag: string): string {
  return etag === '' || etag.startsWith('"') || etag.startsWith('W/"') ? etag : `"${etag}"`;
}

export async function* listBlobs(container: ContainerClient, prefix: string): AsyncGenerator<BlobInfo> {
  try {
    for await (const item of container.listBlobsFlat({ prefix })) {
      const info: BlobInfo = { name: item.name, size: item.properties.contentLength ?? 0, etag: quotedEtag(item.properties.etag) };
      if (item.properties.contentEncoding) info.contentEncoding = item.properties.contentEncoding;
      yield info;
    }
  } catch (error) {
    throw translateBlobError(error, `listing ${container.containerName}/${prefix}`, 'SourceFailed', { prefix });
  }
}

export async function getBlobInfo(container: ContainerClient, name: string): Promise<BlobInfo> {
  try {
    const properties = await container.getBlobClient(name).getProperties();
    const info: BlobInfo = { name, size: properties.contentLength ?? 0, etag: quotedEtag(properties.etag ?? '') };
    if (properties.contentEncoding) info.contentEncoding = properties.contentEncoding;
    return info;
  } catch (error) {
    throw translateBlobError(error, `reading properties of ${container.containerName}/${name}`, 'SourceFailed', { blob: name });
  }
}

export interface OpenRangeOptions {
  offset: number;
  /** Bytes to read; undefined = to the end of the blob. */
  count?: number;
  /** Read only this version of the blob; a newer upload fails with PreconditionFailed. */
  etag?: string;
  abortSignal?: AbortSignal;
}

/** Streams a byte range of a blob; the SDK resumes a broken download from where it stopped. */
export async function openRange(container: ContainerClient, name: string, options: OpenRangeOptions): Promise<Readable> {
  const where = `download of ${container.containerName}/${name} [${options.offset}, +${options.count ?? 'end'}]`;
  try {
    const response = await container.getBlobClient(name).download(options.offset, options.count, {
      conditions: options.etag ? { ifMatch: options.etag } : undefined,
      abortSignal: options.abortSignal,
      maxRetryRequests: 5,
    });
    const body = response.readableStreamBody;
    if (!body) throw new SluiceError('SourceFailed', `Empty response body for ${where}. To fix: retry.`, { retryable: true });
    // Errors in the middle of the body reach the parser translated, not as a raw socket error.
    const out = new PassThrough();
    (body as Readable).once('error', (error) => out.destroy(translateBlobError(error, where, 'SourceFailed', { blob: name })));
    return (body as Readable).pipe(out);
  } catch (error) {
    throw translateBlobError(error, where, 'SourceFailed', { blob: name });
  }
}

/** Creates the container if it does not exist (landing, rejects, outbox). */
export async function ensureContainer(container: ContainerClient): Promise<void> {
  try {
    await container.createIfNotExists();
  } catch (error) {
    throw translateBlobError(error, `creating container ${container.containerName}`, 'SinkFailed');
  }
}
