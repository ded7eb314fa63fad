/** Which planning a landed file needs, and plans for a prefix of many files. */
import type { BoundaryStrategy, ByteRange, FilePlan, LandedFile, RecordFormat } from './types';

export interface PlanOptions {
  format: RecordFormat;
  targetChunkBytes: number;
  /** CSV only: quoted fields may contain newlines (RFC 4180 allows it). @default true */
  newlinesInQuotes?: boolean;
}

/**
 * `whole` when the file cannot or need not be split (gzip; no larger than one chunk), else how to find record
 * boundaries: `probe` when every LF ends a record, `scan` for CSV that may hold newlines inside quotes.
 */
export function chooseStrategy(file: LandedFile, options: PlanOptions): 'whole' | BoundaryStrategy {
  if (file.gzip || file.size <= options.targetChunkBytes) return 'whole';
  if (options.format === 'ndjson' || options.newlinesInQuotes === false) return 'probe';
  return 'scan';
}

/** The plans of the files that need no reading (`whole`); the others are listed for scanning or probing. */
export function planWholeFiles(files: readonly LandedFile[], options: PlanOptions): { plans: FilePlan[]; toSplit: Array<{ file: LandedFile; strategy: BoundaryStrategy }> } {
  const plans: FilePlan[] = [];
  const toSplit: Array<{ file: LandedFile; strategy: BoundaryStrategy }> = [];
  for (const file of files) {
    const strategy = chooseStrategy(file, options);
    if (strategy === 'whole') plans.push({ kind: 'whole', name: file.name, size: file.size });
    else toSplit.push({ file, strategy });
  }
  return { plans, toSplit };
}

/** One unit of the load fan-out: a byte range of a file, or the whole file. */
export interface ChunkTask {
  /** Stable id (`<file>#<index>`), the same on every retry: loaders key their staging rows by it. */
  chunkId: string;
  file: string;
  /** Null: load the whole file (gzip or small). */
  range: ByteRange | null;
  /** Where the header line is when `range` does not start with it. */
  headerRange: ByteRange | null;
}

/** Flattens file plans (a prefix of many files) into the chunk list the load orchestration fans out over. */
export function chunkTasks(plans: readonly FilePlan[]): ChunkTask[] {
  return plans.flatMap((plan): ChunkTask[] =>
    plan.kind === 'whole'
      ? [{ chunkId: `${plan.name}#0`, file: plan.name, range: null, headerRange: null }]
      : plan.chunks.map((range, i) => ({ chunkId: `${plan.name}#${i}`, file: plan.name, range, headerRange: plan.headerRange })),
  );
}
