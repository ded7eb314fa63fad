/**
 * Stream patterns: `*` matches any run of characters (also none); every other character matches itself,
 * case-sensitively. `UK_*` matches `UK_Account` and `UK_`; `*_Account` matches `UK_Account`.
 */
export const STREAM_PATTERN = /^[A-Za-z0-9_.:*-]{1,128}$/;

export function matchesStreamPattern(pattern: string, streamId: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === streamId;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (streamId.length < first.length + last.length || !streamId.startsWith(first) || !streamId.endsWith(last)) return false;
  let position = first.length;
  const end = streamId.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = streamId.indexOf(middle, position);
    if (found < 0 || found + middle.length > end) return false;
    position = found + middle.length;
  }
  return true;
}

/** The first item (in declaration order) with a pattern matching `streamId`. */
export function findByStream<T extends { streams: readonly string[] }>(items: readonly T[], streamId: string): T | undefined {
  return items.find((item) => item.streams.some((pattern) => matchesStreamPattern(pattern, streamId)));
}
