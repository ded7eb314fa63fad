/**
 * gzip input: a compressed file is one chunk (gzip cannot be split at byte offsets), decompressed as a stream.
 */
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Whether a blob is gzip by name or content encoding. */
export function isGzip(name: string, contentEncoding?: string): boolean {
  return /\.gz$/i.test(name) || contentEncoding?.toLowerCase() === 'gzip';
}

/** Passes `input` through gunzip when `compressed`; stream errors (corrupt data) reach the consumer. */
export function decompressIf(input: Readable, compressed: boolean): Readable {
  if (!compressed) return input;
  const gunzip = createGunzip();
  input.once('error', (error) => gunzip.destroy(error));
  return input.pipe(gunzip);
}
