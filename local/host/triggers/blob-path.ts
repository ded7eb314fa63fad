/**
 * Blob trigger paths (`container/{name}`, `input/{name}.csv`, `in/{folder}/{file}`): the container is the first
 * segment; the rest becomes a pattern whose `{param}` values are binding data (`context.triggerMetadata.name`).
 */
import { LocalHostError } from '../errors';

export interface BlobPathPattern {
  container: string;
  match(blobName: string): Record<string, string> | undefined;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function parseBlobPath(blobPath: string, where: string): BlobPathPattern {
  const slash = blobPath.indexOf('/');
  const container = slash < 0 ? blobPath : blobPath.slice(0, slash);
  const rest = slash < 0 ? '{name}' : blobPath.slice(slash + 1);
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(container) && container !== '$root') {
    throw new LocalHostError(
      'ConfigInvalid',
      `${where}: "${container}" is not a valid container name (3-63 lower-case letters, digits and single hyphens). ` +
        'To fix: write the path as "container/{name}".',
    );
  }
  const names: string[] = [];
  const pieces = rest.split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/).filter((piece) => piece !== '');
  const source = pieces
    .map((piece, index) => {
      if (!piece.startsWith('{')) return escapeRegExp(piece);
      names.push(piece.slice(1, -1));
      return index === pieces.length - 1 ? '(.+)' : '(.+?)';
    })
    .join('');
  const regex = new RegExp(`^${source}$`);
  return {
    container,
    match(blobName) {
      const found = regex.exec(blobName);
      if (found === null) return undefined;
      return Object.fromEntries(names.map((name, index) => [name, found[index + 1] ?? '']));
    },
  };
}
