/**
 * Blob name globs of `source.loadOnArrival`: `*` matches any run of characters within one path segment (no "/"),
 * `**` any run including "/", every other character itself, case-sensitively. `orders/*.csv` matches
 * `orders/day.csv` but not `orders/2026/day.csv`; `orders/**.csv` matches both.
 */
export const BLOB_GLOB = /^[^/\s][^\s]{0,1023}$/;

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

export function blobGlobToRegExp(glob: string): RegExp {
  const body = glob
    .split('**')
    .map((part) => part.split('*').map(escape).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

export function matchesBlobGlob(glob: string, blobName: string): boolean {
  return blobGlobToRegExp(glob).test(blobName);
}

/** The literal start of a glob (everything before its first "*"): every matching name starts with it. */
export function globLiteralPrefix(glob: string): string {
  const star = glob.indexOf('*');
  return star < 0 ? glob : glob.slice(0, star);
}
