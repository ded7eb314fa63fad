/**
 * Blob names Sluice writes. Segments taken from streams, windows and loads are validated so a name can never
 * climb out of its folder or collide with another stream's.
 */
import { SluiceError } from '../../core/errors';

/** Letters, digits, `_ - . =` (not starting with a dot), at most 200 characters. */
const segmentPattern = /^(?!\.)[A-Za-z0-9_\-.=]{1,200}$/;

export function blobSegment(value: string, what: string): string {
  if (!segmentPattern.test(value)) {
    throw new SluiceError('InvalidArgument', `${what} ${JSON.stringify(value)} cannot be used in a blob name. ` +
      'To fix: use 1-200 letters, digits, _, -, . or = (not starting with a dot).');
  }
  return value;
}

/** `<stream>/<windowId>/part-00000.ndjson` inside the landing container. */
export function landingBlobName(stream: string, windowId: string, part: number): string {
  return `${blobSegment(stream, 'Stream')}/${blobSegment(windowId, 'Window id')}/part-${String(part).padStart(5, '0')}.ndjson`;
}

/**
 * `<loadId>/<file>/chunk-00000.ndjson` inside the rejects container: one blob per chunk, so parallel chunks of
 * one file never write the same blob and a retried chunk replaces its own rejects instead of appending twice.
 */
export function rejectsBlobName(loadId: string, file: string, chunkIndex: number): string {
  if (file.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new SluiceError('InvalidArgument', `File name ${JSON.stringify(file)} cannot be used in a rejects blob name. ` +
      'To fix: pass the source blob name without empty, "." or ".." segments.');
  }
  return `${blobSegment(loadId, 'Load id')}/${file}/chunk-${String(chunkIndex).padStart(5, '0')}.ndjson`;
}
