/**
 * The export step's files: rows ordered by a key become one blob per key value under a prefix
 * (`<prefix><key>.csv` or `.ndjson`), streamed (one key's file is uploaded while its rows arrive). Names are
 * deterministic, blobs of an earlier attempt that this one did not write are deleted, and a manifest listing the
 * files is written last, so a retried export ends with exactly its own files and a reader that sees the
 * manifest sees a complete export.
 */
import { PassThrough } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { stringify } from 'csv-stringify/sync';
import { SluiceError } from '../../core/errors';
import { translateBlobError } from './blob-errors';

export interface WriteOutboxOptions {
  /** `<pipeline>/<loadId>/`: the export owns everything under it. */
  prefix: string;
  partitionBy: string;
  format: 'csv' | 'ndjson';
  /** Key value -> blob-name-safe file stem (injective). */
  fileStem: (key: string) => string;
  /** Written into the manifest. */
  manifest: Record<string, unknown>;
}

export interface WriteOutboxResult {
  files: Array<{ key: string | null; blob: string; rows: number }>;
  rows: number;
  manifest: string;
  /** Blobs of an earlier attempt removed because this attempt did not produce them. */
  removed: number;
}

export const manifestName = '_manifest.json';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const contentTypes = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson' } as const;

class KeyFile {
  readonly body = new PassThrough();
  readonly upload: Promise<unknown>;
  rows = 0;

  constructor(container: ContainerClient, readonly key: string | null, readonly blob: string, format: 'csv' | 'ndjson') {
    this.upload = container.getBlockBlobClient(blob).uploadStream(this.body, 4 * 1024 * 1024, 2, { blobHTTPHeaders: { blobContentType: contentTypes[format] } });
    // The upload reports its own failure when awaited; this keeps an early failure from being unhandled meanwhile.
    this.upload.catch(() => undefined);
  }

  async write(text: string): Promise<void> {
    if (!this.body.write(text)) await new Promise<void>((resolve) => this.body.once('drain', resolve));
  }

  async finish(): Promise<void> {
    this.body.end();
    await this.upload;
  }
}

/** Writes the files, removes stale ones, then the manifest. Rows must arrive ordered by `partitionBy`. */
export async function writeOutbox(container: ContainerClient, rows: AsyncIterable<Record<string, unknown>>, options: WriteOutboxOptions): Promise<WriteOutboxResult> {
  const extension = options.format === 'csv' ? 'csv' : 'ndjson';
  const files: WriteOutboxResult['files'] = [];
  const seenKeys = new Set<string>();
  let file: KeyFile | undefined;
  let columns: string[] | undefined;
  const close = async (): Promise<void> => {
    if (file === undefined) return;
    await file.finish();
    files.push({ key: file.key, blob: file.blob, rows: file.rows });
    file = undefined;
  };
  try {
    for await (const row of rows) {
      if (!(options.partitionBy in row)) {
        throw new SluiceError('ConfigInvalid', `Export rows have no column "${options.partitionBy}" (columns: ${Object.keys(row).join(', ')}). ` +
          'To fix: set export.partitionBy to a column the query returns.', { ids: { target: 'export.partitionBy' } });
      }
      const raw = row[options.partitionBy];
      const key = raw === null || raw === undefined ? null : cell(raw);
      if (file === undefined || file.key !== key) {
        await close();
        const stem = key === null ? '=null' : options.fileStem(key);
        if (seenKeys.has(stem)) {
          throw new SluiceError('ConfigInvalid', `Export rows for key ${JSON.stringify(key)} arrived in two runs: the query is not ordered by "${options.partitionBy}". To fix: report this; the export orders by the key itself.`);
        }
        seenKeys.add(stem);
        file = new KeyFile(container, key, `${options.prefix}${stem}.${extension}`, options.format);
        columns = Object.keys(row);
        if (options.format === 'csv') await file.write(stringify([columns]));
      }
      await file.write(options.format === 'csv' ? stringify([columns!.map((c) => cell(row[c]))]) : `${JSON.stringify(row)}\n`);
      file.rows++;
    }
    await close();
  } catch (error) {
    file?.body.destroy();
    throw translateBlobError(error, `export to ${container.containerName}/${options.prefix}`, 'SinkFailed');
  }
  const written = new Set(files.map((f) => f.blob));
  const manifest = `${options.prefix}${manifestName}`;
  let removed = 0;
  try {
    for await (const blob of container.listBlobsFlat({ prefix: options.prefix })) {
      if (!written.has(blob.name) && blob.name !== manifest) {
        await container.deleteBlob(blob.name, { deleteSnapshots: 'include' }).catch((error: unknown) => {
          if ((error as { statusCode?: number }).statusCode !== 404) throw error;
        });
        removed++;
      }
    }
    const rowsTotal = files.reduce((sum, f) => sum + f.rows, 0);
    const body = JSON.stringify({ ...options.manifest, format: options.format, partitionBy: options.partitionBy, rows: rowsTotal, files }, null, 2);
    await container.getBlockBlobClient(manifest).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/json' } });
    return { files, rows: rowsTotal, manifest, removed };
  } catch (error) {
    throw translateBlobError(error, `export manifest under ${container.containerName}/${options.prefix}`, 'SinkFailed');
  }
}
