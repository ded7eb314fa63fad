/**
 * Boundary planning by probes, for files where every LF ends a record (NDJSON; CSV declared without newlines in
 * quoted fields). For each target offset t the planner reads a small window starting at t - 1 and cuts at the
 * first byte after an LF, so it reads a few KiB per chunk instead of the whole file.
 */
import { SluiceError } from '../errors';
import type { ByteRange } from './types';

const LF = 0x0a;

/**
 * The first record start o with `probeOffset < o <= probeOffset + probe.length` (byte o - 1 is an LF), given the
 * bytes of the file from `probeOffset`; null when the probe holds no LF.
 */
export function nextLineStart(probe: Uint8Array, probeOffset: number): number | null {
  const index = probe.indexOf(LF);
  return index < 0 ? null : probeOffset + index + 1;
}

export interface LineChunkOptions {
  totalSize: number;
  targetChunkBytes: number;
  /** The first line is a header (reported as `headerRange`, kept out of the chunks). */
  header: boolean;
  /** First probe length; doubled while a line is longer. @default 65536 */
  probeBytes?: number;
}

/** Reads bytes [start, end) of the file (a ranged blob download in the activity). */
export type ReadRange = (start: number, end: number) => Promise<Uint8Array>;

export interface LineChunkPlan {
  headerRange: ByteRange | null;
  chunks: ByteRange[];
}

export async function planLineChunks(options: LineChunkOptions, readRange: ReadRange): Promise<LineChunkPlan> {
  const { totalSize, targetChunkBytes } = options;
  if (!Number.isInteger(targetChunkBytes) || targetChunkBytes < 1 || !Number.isInteger(totalSize) || totalSize < 0) {
    throw new SluiceError('InvalidArgument', `planLineChunks: need integer totalSize >= 0 and targetChunkBytes >= 1, got ${totalSize} and ${targetChunkBytes}. To fix: pass byte counts.`);
  }
  const probeBytes = options.probeBytes ?? 65_536;
  // The first record start o >= from (from >= 1): the first LF at or after byte from - 1, plus one.
  const findStart = async (from: number): Promise<number | null> => {
    const start = from - 1;
    for (let length = probeBytes; ; length *= 2) {
      const end = Math.min(totalSize, start + length);
      const found = nextLineStart(await readRange(start, end), start);
      if (found !== null) return found;
      if (end >= totalSize) return null;
    }
  };

  let headerEnd = 0;
  if (options.header) headerEnd = (await findStart(1)) ?? totalSize;
  const starts = [headerEnd];
  let next = headerEnd + targetChunkBytes;
  while (next < totalSize) {
    const cut = await findStart(next);
    if (cut === null || cut >= totalSize) break;
    starts.push(cut);
    next = cut + targetChunkBytes;
  }
  const chunks: ByteRange[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const end = starts[i + 1] ?? totalSize;
    if (end > start) chunks.push({ start, end });
  }
  return { headerRange: options.header ? { start: 0, end: headerEnd } : null, chunks };
}
