/**
 * The `sluice-app` scenario of bench/elt-load.ts: the real app (package.json "main", the dist/ this bench's tsc
 * wrote, as `npm start` runs it) on the local host with the in-memory Durable store, started the way the
 * integration tests start it (test/integration/config/app-under-test.ts), on the bench's Azurite, PostgreSQL and
 * Cosmos DB stand-in. Timed from `POST /api/loads` to the status URI answering Completed: the HTTP starter, the
 * `eltLoad` orchestration, the target semaphore (capacity 4, so the 4 chunks run at once), the activities, the
 * ledger writes. Not timed: the host start and the upload (the file is already in Azurite).
 */
import path from 'node:path';
import type { LocalServices } from '../local/services';
import { startAppUnderTest } from '../test/integration/config/app-under-test';
import { waitForFinished } from '../test/support/load-status';

/** Bounds one load, so a stuck orchestration fails the bench instead of hanging it. */
const loadTimeoutInMs = 60 * 60 * 1000;
/** Spaces the status reads; the end time is at most this late. */
const pollInMs = 100;
const capacity = 4;

export interface AppTable {
  schema: string;
  table: string;
  keyColumns: string[];
  versionColumn: string;
  columns: Array<{ name: string; type: string }>;
}

interface LoadOutput { chunksTotal: number; rows: number; rejects: number; permits: number; bytes: number }

/** Most chunk loads in flight at once, from the activity's start/finish log lines in host order. */
function maxChunksAtOnce(messages: string[]): number {
  let inFlight = 0;
  let max = 0;
  for (const message of messages) {
    if (message.includes('sluice:elt chunk started')) max = Math.max(max, ++inFlight);
    else if (message.includes('sluice:elt chunk finished')) inFlight--;
  }
  return max;
}

/** Loads `blobName` (in container `landing`) into `target` through the app; returns the time and the app's own phase durations. */
export async function sluiceApp(services: LocalServices, blobName: string, fileBytes: number, target: AppTable) {
  const config = {
    semaphores: [{ kind: 'target', name: 'pg', capacity }],
    pipelines: [{
      name: 'bench', streams: ['bench'], source: { kind: 'blob', container: 'landing', prefix: 'bench/' },
      target: { kind: 'postgres', schema: target.schema, table: target.table }, targetSemaphore: 'pg',
      keyColumns: target.keyColumns, versionColumn: target.versionColumn,
      columns: Object.fromEntries(target.columns.map((c) => [c.name, c.type])),
      // The same chunk size the activities-only scenario plans with: 4 chunks, one per permit.
      format: { kind: 'csv' }, maxRejectRatio: 0, targetChunkBytes: Math.ceil(fileBytes / capacity), maxTargetPermits: capacity,
    }],
  };
  const app = await startAppUnderTest(path.join(__dirname, '..', '..'), { SLUICE_CONFIG: JSON.stringify(config) }, { services });
  try {
    const start = performance.now();
    const response = await app.call('POST', 'loads', { body: { pipeline: 'bench', blob: blobName } });
    if (response.status !== 202) throw new Error(`POST /api/loads answered ${response.status}: ${await response.text()}`);
    const started = (await response.json()) as { id: string; statusQueryGetUri: string };
    const status = await waitForFinished(started.statusQueryGetUri, loadTimeoutInMs, pollInMs);
    const totalMs = Math.round(performance.now() - start);
    if (status.runtimeStatus !== 'Completed') throw new Error(`The load ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`);
    const output = status.output as LoadOutput;
    // The ledger entry holds the orchestration's phase durations (replay-safe clock), to split the total.
    const view = (await (await app.call('GET', `loads/${started.id}`)).json()) as { ledger: { durations?: Record<string, number> } | null };
    await app.durableIdle();
    return {
      totalMs, chunks: output.chunksTotal, permits: output.permits, maxChunksAtOnce: maxChunksAtOnce(app.logs.map((e) => e.message)),
      rows: output.rows, rejects: output.rejects, appPhases: view.ledger?.durations ?? null,
    };
  } finally {
    await app.stop();
  }
}
