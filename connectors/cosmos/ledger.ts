/**
 * The ledger: one Cosmos DB document per window processed and per load, partitioned by stream, so a stream's
 * history is a single-partition query. Writing an entry is an upsert by a deterministic id
 * (`window:<windowId>` / `load:<loadId>`), so a retried step replaces its entry instead of adding one.
 */
import type { Container, Database } from '@azure/cosmos';
import { z } from 'zod';
import { SluiceError } from '../../core/errors';
import { translateCosmosError } from './cosmos-errors';

const isoTime = z.iso.datetime({ offset: true });
const count = z.number().int().min(0);

/** A file a window's data was landed in (or read from), enough to load it again on a replay. */
export const ledgerLandedSchema = z.object({
  url: z.string().min(1),
  format: z.enum(['ndjson', 'csv']),
  gzip: z.boolean(),
  records: count,
  bytes: count,
});

const ledgerRef = z.string().min(1).regex(/^[^/\\?#]+$/, 'no / \\ ? # (it becomes part of the document id)');

export const ledgerEntrySchema = z.object({
  stream: z.string().min(1),
  kind: z.enum(['window', 'load']),
  /** Window id or load id. */
  ref: ledgerRef,
  /** The stream window's sequence number (windows and their replays). */
  seq: z.number().int().min(1).optional(),
  /** On a replay: the ref of the window it re-applied. */
  replayOf: ledgerRef.optional(),
  outcome: z.enum(['running', 'succeeded', 'failed']),
  startedAt: isoTime,
  finishedAt: isoTime.optional(),
  /** The events or time span covered (windows) or the source files (loads). */
  window: z.object({ from: isoTime, until: isoTime, events: count.optional() }).optional(),
  files: z.array(z.string()).optional(),
  /** The landed files with their format, written when a window's load ends: what a replay loads again. */
  landed: z.array(ledgerLandedSchema).optional(),
  /** Loads: each file at the version (ETag) it was read, with its size. */
  sources: z.array(z.object({ file: z.string().min(1), etag: z.string().min(1), bytes: count })).optional(),
  /** Correlation ids of the events a window covers (their Service Bus correlationId or messageId), bounded. */
  correlationIds: z.array(z.string().min(1)).max(100).optional(),
  counts: z.object({ rows: count, inserted: count, updated: count, skippedByGuard: count, rejects: count }).partial().default({}),
  /** Phase durations, e.g. { extractInMs, loadInMs, mergeInMs, totalInMs }. */
  durations: z.record(z.string().regex(/InMs$/), z.number().min(0)).default({}),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export type LedgerEntryInput = z.input<typeof ledgerEntrySchema>;
export type LedgerEntry = z.output<typeof ledgerEntrySchema> & { id: string };

export function ledgerEntryId(kind: LedgerEntry['kind'], ref: string): string {
  return `${kind}:${ref}`;
}

/** Creates the ledger container (partition key /stream) if missing. */
export async function ensureLedgerContainer(database: Database, containerId = 'ledger'): Promise<Container> {
  try {
    const { container } = await database.containers.createIfNotExists({ id: containerId, partitionKey: { paths: ['/stream'] } });
    return container;
  } catch (error) {
    throw translateCosmosError(error, `creating ledger container ${containerId}`, 'SinkFailed');
  }
}

const cosmosSystemFields = ['_rid', '_self', '_etag', '_attachments', '_ts'] as const;

function strip(resource: Record<string, unknown>): LedgerEntry {
  const copy = { ...resource };
  for (const field of cosmosSystemFields) delete copy[field];
  return copy as LedgerEntry;
}

export interface ListLedgerOptions {
  /** @default 50 */
  limit?: number;
}

function limitOf(options: ListLedgerOptions): number {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new SluiceError('InvalidArgument', `Ledger list limit must be an integer from 1 to 1000, got ${limit}. To fix: pass a smaller limit.`);
  }
  return limit;
}

export interface ListWindowsOptions {
  /** Only entries started at or after this ISO time. */
  fromIso?: string;
  /** Only entries started before this ISO time. */
  toIso?: string;
  outcome?: LedgerEntry['outcome'];
  /** Page size. @default 50 */
  limit?: number;
  /** From the previous page; absent for the first. */
  continuationToken?: string;
}

export interface LedgerPage {
  entries: LedgerEntry[];
  /** Pass back for the next page; undefined on the last. */
  continuationToken: string | undefined;
}

export interface ListCommittedOptions {
  /** Windows whose data ends (`window.until`) at or after this ISO time. */
  untilFromIso: string;
  /** ... and before this ISO time. */
  untilToIso: string;
  /** @default 50 */
  limit?: number;
}

export class Ledger {
  constructor(private readonly container: Container) {}

  /** Validates and writes (replaces) the entry; returns it with its id. */
  async upsertEntry(input: LedgerEntryInput): Promise<LedgerEntry> {
    const parsed = ledgerEntrySchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SluiceError('InvalidArgument', `Ledger entry invalid at "${issue.path.join('.')}": ${issue.message}. ` +
        'To fix: correct the caller that builds the entry.');
    }
    const entry: LedgerEntry = { id: ledgerEntryId(parsed.data.kind, parsed.data.ref), ...parsed.data };
    try {
      await this.container.items.upsert(entry);
      return entry;
    } catch (error) {
      throw translateCosmosError(error, `ledger upsert of ${entry.id}`, 'SinkFailed', { streamId: entry.stream });
    }
  }

  async getEntry(stream: string, kind: LedgerEntry['kind'], ref: string): Promise<LedgerEntry | undefined> {
    const id = ledgerEntryId(kind, ref);
    try {
      const { resource } = await this.container.item(id, stream).read<Record<string, unknown>>();
      return resource ? strip(resource) : undefined;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw translateCosmosError(error, `ledger read of ${id}`, 'SinkFailed', { streamId: stream });
    }
  }

  /** A stream's entries, newest first (single-partition query). */
  async listByStream(stream: string, options: ListLedgerOptions = {}): Promise<LedgerEntry[]> {
    return this.query(`SELECT TOP ${limitOf(options)} * FROM c WHERE c.stream = @stream ORDER BY c.startedAt DESC`,
      [{ name: '@stream', value: stream }], { partitionKey: stream }, `ledger list of stream ${stream}`);
  }

  /**
   * A stream's window entries (replays included), newest first, one page at a time. Paged with the service's own
   * continuation token, so a page is a single-partition query whatever the stream's history length.
   */
  async listWindows(stream: string, options: ListWindowsOptions = {}): Promise<LedgerPage> {
    const filters = ["c.stream = @stream", "c.kind = 'window'"];
    const parameters = [{ name: '@stream', value: stream }];
    if (options.fromIso !== undefined) {
      filters.push('c.startedAt >= @from');
      parameters.push({ name: '@from', value: options.fromIso });
    }
    if (options.toIso !== undefined) {
      filters.push('c.startedAt < @to');
      parameters.push({ name: '@to', value: options.toIso });
    }
    if (options.outcome !== undefined) {
      filters.push('c.outcome = @outcome');
      parameters.push({ name: '@outcome', value: options.outcome });
    }
    const query = `SELECT * FROM c WHERE ${filters.join(' AND ')} ORDER BY c.startedAt DESC`;
    try {
      const page = await this.container.items
        .query<Record<string, unknown>>({ query, parameters }, {
          partitionKey: stream,
          maxItemCount: limitOf(options),
          ...(options.continuationToken === undefined ? {} : { continuationToken: options.continuationToken }),
        })
        .fetchNext();
      return { entries: page.resources.map(strip), continuationToken: page.hasMoreResults ? page.continuationToken : undefined };
    } catch (error) {
      throw translateCosmosError(error, `ledger window list of stream ${stream}`, 'SinkFailed', { streamId: stream });
    }
  }

  /** Succeeded windows (not replays) whose data ends in the given range, oldest first: what a range replay re-applies. */
  async listCommittedWindows(stream: string, options: ListCommittedOptions): Promise<LedgerEntry[]> {
    return this.query(`SELECT TOP ${limitOf(options)} * FROM c WHERE c.stream = @stream AND c.kind = 'window' AND c.outcome = 'succeeded' ` +
      'AND NOT IS_DEFINED(c.replayOf) AND c.window.until >= @since AND c.window.until < @until ORDER BY c.window.until ASC',
    [{ name: '@stream', value: stream }, { name: '@since', value: options.untilFromIso }, { name: '@until', value: options.untilToIso }],
    { partitionKey: stream }, `ledger committed windows of stream ${stream}`);
  }

  /** Failed entries finished at or after `sinceIso`, newest first, across all streams. */
  async listRecentFailures(sinceIso: string, options: ListLedgerOptions = {}): Promise<LedgerEntry[]> {
    if (!isoTime.safeParse(sinceIso).success) {
      throw new SluiceError('InvalidArgument', `sinceIso ${JSON.stringify(sinceIso)} is not an ISO-8601 time. To fix: pass e.g. 2026-11-23T00:00:00Z.`);
    }
    return this.query(`SELECT TOP ${limitOf(options)} * FROM c WHERE c.outcome = 'failed' AND c.finishedAt >= @since ` +
      'ORDER BY c.finishedAt DESC', [{ name: '@since', value: sinceIso }], {}, 'ledger list of recent failures');
  }

  private async query(query: string, parameters: { name: string; value: string }[], options: { partitionKey?: string },
    where: string): Promise<LedgerEntry[]> {
    try {
      const { resources } = await this.container.items.query<Record<string, unknown>>({ query, parameters }, options).fetchAll();
      return resources.map(strip);
    } catch (error) {
      throw translateCosmosError(error, where, 'SinkFailed');
    }
  }
}
