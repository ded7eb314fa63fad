/**
 * Blob writers: raw window data to the landing container, and rejected records to the rejects container.
 * Both write whole blobs under deterministic names, so a retry overwrites instead of duplicating.
 */
import type { ContainerClient } from '@azure/storage-blob';
import type { Reject } from '../records';
import { translateBlobError } from './blob-errors';
import { landingBlobName, rejectsBlobName } from './paths';

export interface WriteLandingOptions {
  stream: string;
  windowId: string;
  /** @default 0 */
  part?: number;
  abortSignal?: AbortSignal;
}

/** Writes records as NDJSON to `<stream>/<windowId>/part-NNNNN.ndjson`; returns the blob name and size. */
export async function writeLanding(container: ContainerClient, records: readonly unknown[], options: WriteLandingOptions):
  Promise<{ name: string; bytes: number; etag: string }> {
  const name = landingBlobName(options.stream, options.windowId, options.part ?? 0);
  const body = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
  try {
    const response = await container.getBlockBlobClient(name).uploadData(body, {
      blobHTTPHeaders: { blobContentType: 'application/x-ndjson' },
      abortSignal: options.abortSignal,
    });
    return { name, bytes: body.length, etag: response.etag ?? '' };
  } catch (error) {
    throw translateBlobError(error, `landing upload of ${container.containerName}/${name}`, 'SinkFailed',
      { streamId: options.stream, windowId: options.windowId });
  }
}

export interface RejectsWriterOptions {
  loadId: string;
  /** Source blob the chunk came from; recorded on every line. */
  file: string;
  chunkIndex: number;
}

/**
 * Collects a chunk's rejects and writes them as one blob of `{file, line, raw, reason}` lines. Memory holds the
 * chunk's rejected raw text; a load fails past its reject ratio, which bounds it in practice.
 */
export class RejectsWriter {
  readonly blobName: string;
  private readonly lines: string[] = [];

  constructor(private readonly container: ContainerClient, private readonly options: RejectsWriterOptions) {
    this.blobName = rejectsBlobName(options.loadId, options.file, options.chunkIndex);
  }

  get count(): number {
    return this.lines.length;
  }

  /** Bound so it can be passed as an onReject callback. */
  readonly add = (reject: Reject): void => {
    this.lines.push(`${JSON.stringify({ file: this.options.file, line: reject.line, raw: reject.raw, reason: reject.reason })}\n`);
  };

  /** Writes the blob if there were rejects (and deletes a stale one from an earlier attempt if not). */
  async flush(abortSignal?: AbortSignal): Promise<{ name: string; count: number } | undefined> {
    const blob = this.container.getBlockBlobClient(this.blobName);
    const ids = { loadId: this.options.loadId, file: this.options.file, chunk: String(this.options.chunkIndex) };
    try {
      if (this.lines.length === 0) {
        await blob.deleteIfExists({ abortSignal });
        return undefined;
      }
      await blob.uploadData(Buffer.from(this.lines.join(''), 'utf8'), {
        blobHTTPHeaders: { blobContentType: 'application/x-ndjson' },
        abortSignal,
      });
      return { name: this.blobName, count: this.lines.length };
    } catch (error) {
      throw translateBlobError(error, `rejects upload of ${this.container.containerName}/${this.blobName}`, 'SinkFailed', ids);
    }
  }
}
