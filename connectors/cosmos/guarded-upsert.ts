/**
 * Cosmos DB sink: bulk upsert with the version guard, safe under concurrent writers.
 *
 * Per round: read the current documents (queries by id per partition), then write (bulk for large batches,
 * point operations for small ones) only where the incoming version is strictly newer: `Create` when absent
 * (fails 409 if someone created it meanwhile) and `Replace` with `ifMatch` = the ETag that was read (fails 412
 * if someone changed it meanwhile). Conflicts go back into the next round, which
 * reads again and re-decides; throttled operations too. No write ever lands on a document the guard did not
 * see, so an older version never overwrites a newer one, and re-applying the same data changes nothing.
 * This uses only what the local stand-in supports as well (no patch in bulk, no stored procedures, no
 * transactional batch, which is not atomic there).
 */
import type { Container, JSONObject, OperationInput } from '@azure/cosmos';
import { SluiceError } from '../../core/errors';
import { mapWithConcurrency } from '../concurrency';
import type { RejectSink, SourceRecord } from '../records';
import { cosmosStatus, isRetryableStatus, translateCosmosError } from './cosmos-errors';

export interface GuardedUpsertOptions {
  /** Document field holding the partition key value (the container's partition key path without the `/`). */
  partitionKeyField: string;
  /** Field compared by the guard: numbers, or ISO-8601 UTC strings of one fixed format (compared as text). */
  versionField: string;
  onReject: RejectSink;
  /** Rounds of read-decide-write before giving up with a retryable error. @default 10 */
  maxRounds?: number;
}

export interface GuardedUpsertResult {
  inserted: number;
  updated: number;
  skippedByGuard: number;
  /** Writes that lost a race (409/412) or were throttled and were decided again in a later round. */
  retried: number;
}

type Version = number | string;
interface Candidate {
  id: string;
  partitionKey: string;
  version: Version;
  /** Records come from JSON (NDJSON lines or landed windows), so their values are JSON values. */
  body: JSONObject;
}

/** Negative when a < b. Versions of different kinds never compare: that is a configuration error. */
export function compareVersions(a: Version, b: Version): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new SluiceError('ConfigInvalid', `Version values ${JSON.stringify(a)} and ${JSON.stringify(b)} are of different types. ` +
    'To fix: make the version field always a number or always an ISO-8601 UTC string.');
}

/** Why a document cannot be written (id, partition key or version unusable), or undefined when it can. */
export function documentProblem(body: Readonly<Record<string, unknown>>, options: Pick<GuardedUpsertOptions, 'partitionKeyField' | 'versionField'>): string | undefined {
  const { id } = body;
  const partitionKey = body[options.partitionKeyField];
  const version = body[options.versionField];
  if (typeof id !== 'string' || id === '' || /[/\\?#]/.test(id)) return 'field "id" must be a non-empty string without / \\ ? #';
  if (typeof partitionKey !== 'string' || partitionKey === '') return `partition key field "${options.partitionKeyField}" must be a non-empty string`;
  if (!(typeof version === 'string' && version !== '') && !(typeof version === 'number' && Number.isFinite(version))) {
    return `version field "${options.versionField}" must be a number or a non-empty string`;
  }
  return undefined;
}

function candidateOf(record: SourceRecord, options: GuardedUpsertOptions): Candidate | string {
  const body = record.values;
  const problem = documentProblem(body, options);
  if (problem !== undefined) return problem;
  return { id: body.id as string, partitionKey: body[options.partitionKeyField] as string, version: body[options.versionField] as Version, body: body as JSONObject };
}

/** Keeps the newest candidate per (partition key, id), as the PostgreSQL merge's DISTINCT ON does. */
function newestPerKey(records: readonly SourceRecord[], options: GuardedUpsertOptions): Map<string, Candidate> {
  const pending = new Map<string, Candidate>();
  for (const record of records) {
    const candidate = candidateOf(record, options);
    if (typeof candidate === 'string') {
      options.onReject({ line: record.line, raw: record.raw, reason: candidate });
      continue;
    }
    const key = keyOf(candidate);
    const seen = pending.get(key);
    if (!seen || compareVersions(seen.version, candidate.version) < 0) pending.set(key, candidate);
  }
  return pending;
}

function failure(status: number | undefined, error: unknown, candidate: Candidate, what: string): SluiceError {
  return translateCosmosError(error ?? { code: status, message: `${what} returned HTTP ${status}` },
    `${what} of document ${candidate.id}`, 'SinkFailed', { id: candidate.id, partitionKey: candidate.partitionKey });
}

function keyOf(candidate: { partitionKey: string; id: string }): string {
  return JSON.stringify([candidate.partitionKey, candidate.id]);
}

/** Ids per query; keeps the query text and the IN-list well within request limits. */
const idsPerQuery = 100;
/** Below this many writes, point operations answer faster than the SDK's bulk executor (which waits ~1 s for partial batches). */
const bulkThreshold = 100;
const pointConcurrency = 20;

/**
 * Current documents (with their _etag) per key: one query per partition key and 100 ids, not a bulk read
 * (the SDK's bulk executor waits about a second to fill partial batches, which small windows would pay per round).
 */
async function readCurrent(container: Container, pending: readonly Candidate[]): Promise<Map<string, JSONObject>> {
  const byPartition = new Map<string, string[]>();
  for (const c of pending) byPartition.set(c.partitionKey, [...(byPartition.get(c.partitionKey) ?? []), c.id]);
  const queries: { partitionKey: string; ids: string[] }[] = [];
  for (const [partitionKey, ids] of byPartition) {
    for (let i = 0; i < ids.length; i += idsPerQuery) queries.push({ partitionKey, ids: ids.slice(i, i + idsPerQuery) });
  }
  const found = new Map<string, JSONObject>();
  await mapWithConcurrency(queries, pointConcurrency, async ({ partitionKey, ids }) => {
    try {
      const { resources } = await container.items.query<JSONObject>(
        { query: 'SELECT * FROM c WHERE ARRAY_CONTAINS(@ids, c.id)', parameters: [{ name: '@ids', value: ids }] },
        { partitionKey }).fetchAll();
      for (const doc of resources) found.set(keyOf({ partitionKey, id: doc.id as string }), doc);
    } catch (error) {
      throw translateCosmosError(error, `read of current documents in ${container.id}`, 'SinkFailed', { partitionKey });
    }
  });
  return found;
}

interface WriteOp {
  candidate: Candidate;
  kind: 'create' | 'replace';
  etag?: string;
}

interface WriteStatus {
  status: number | undefined;
  error?: unknown;
}

/** Conditional writes: Create (409 if it appeared meanwhile) or Replace with IfMatch (412 if it changed). */
async function write(container: Container, writes: readonly WriteOp[]): Promise<WriteStatus[]> {
  if (writes.length >= bulkThreshold) {
    try {
      const results = await container.items.executeBulkOperations(writes.map(({ candidate, kind, etag }): OperationInput => (kind === 'create'
        ? { operationType: 'Create', partitionKey: candidate.partitionKey, resourceBody: candidate.body }
        : { operationType: 'Replace', id: candidate.id, partitionKey: candidate.partitionKey, ifMatch: etag, resourceBody: candidate.body })));
      return results.map((r) => ({ status: r.response?.statusCode ?? cosmosStatus(r.error), error: r.error }));
    } catch (error) {
      throw translateCosmosError(error, `bulk write to ${container.id}`, 'SinkFailed');
    }
  }
  return mapWithConcurrency(writes, pointConcurrency, async ({ candidate, kind, etag }): Promise<WriteStatus> => {
    try {
      const response = kind === 'create'
        ? await container.items.create(candidate.body)
        : await container.item(candidate.id, candidate.partitionKey).replace(candidate.body,
          { accessCondition: { type: 'IfMatch', condition: etag! } });
      return { status: response.statusCode };
    } catch (error) {
      return { status: cosmosStatus(error), error };
    }
  });
}

export async function guardedBulkUpsert(container: Container, records: readonly SourceRecord[], options: GuardedUpsertOptions):
  Promise<GuardedUpsertResult> {
  const result: GuardedUpsertResult = { inserted: 0, updated: 0, skippedByGuard: 0, retried: 0 };
  let pending = [...newestPerKey(records, options).values()];
  const maxRounds = options.maxRounds ?? 10;
  const versionField = options.versionField;
  for (let round = 1; pending.length > 0; round++) {
    if (round > maxRounds) {
      throw new SluiceError('SinkFailed', `Cosmos DB guarded upsert into ${container.id} still had ${pending.length} ` +
        `conflicting documents after ${maxRounds} rounds (e.g. ${pending[0]!.id}). To fix: retry; concurrent writers ` +
        'to the same documents are contending.', { retryable: true, ids: { container: container.id } });
    }
    const retry: Candidate[] = [];
    const current = await readCurrent(container, pending);
    const writes: WriteOp[] = [];
    for (const candidate of pending) {
      const found = current.get(keyOf(candidate));
      const currentVersion = found?.[versionField] as Version | undefined;
      if (!found) {
        writes.push({ candidate, kind: 'create' });
      } else if (currentVersion !== undefined && compareVersions(currentVersion, candidate.version) >= 0) {
        result.skippedByGuard++;
      } else {
        writes.push({ candidate, kind: 'replace', etag: found._etag as string });
      }
    }
    const statuses = await write(container, writes);
    statuses.forEach(({ status, error }, i) => {
      const { candidate, kind } = writes[i]!;
      if (status === 201) result.inserted++;
      else if (status === 200) result.updated++;
      else if (status === 409 || status === 412 || isRetryableStatus(status)) {
        result.retried++;
        retry.push(candidate);
      } else throw failure(status, error, candidate, kind);
    });
    pending = retry;
  }
  return result;
}
