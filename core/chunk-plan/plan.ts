/** Which planning a landed file needs, and plans for a prefix of many files. */
import type { BoundaryStrategy, FilePlan, LandedFile, RecordFormat } from './types';

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
