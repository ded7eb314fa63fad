/**
 * `POST /api/loads` (docs/elt.md): starts an `eltLoad` orchestration for one blob (by URL or name) or every blob
 * under a prefix, resolving the pipeline from the effective configuration so the orchestration input is complete
 * and the load sees one consistent configuration. Answers with the Durable check-status response (202 + Location).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PipelineConfig, SluiceConfig } from '../core/config';
import { isSluiceError, SluiceError } from '../core/errors';
import { eltLoadOrchestrationName } from '../orchestrators/elt-load';
import type { EltLoadInput, EltTable } from '../orchestrators/elt-load-input';
import { getEffectiveConfig } from './config-runtime';
import { eltBlobService, landingContainerName, rejectsContainerName } from './elt/runtime';

/** How often a load waiting for target permits asks the semaphore again (events usually wake it sooner). */
const permitRecheckInMs = 30_000;

export const loadRequestSchema = z.union([
  z.object({ pipeline: z.string().min(1), blobUrl: z.url({ protocol: /^https?$/ }) }).strict(),
  z.object({ pipeline: z.string().min(1), container: z.string().min(1).optional(), blob: z.string().min(1) }).strict(),
  z.object({ pipeline: z.string().min(1), container: z.string().min(1).optional(), prefix: z.string() }).strict(),
]);

export type LoadRequest = z.infer<typeof loadRequestSchema>;

const sinkTypes: Record<string, string | undefined> = { text: 'text', integer: 'int', bigint: 'bigint', numeric: 'numeric', boolean: 'boolean', timestamptz: 'timestamptz', jsonb: 'jsonb' };

function invalid(message: string): SluiceError {
  return new SluiceError('InvalidArgument', message);
}

function tableOf(pipeline: PipelineConfig): EltTable {
  if (pipeline.target.kind !== 'postgres') {
    throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline.name}" targets ${pipeline.target.kind}; ELT loads support PostgreSQL targets so far. To fix: load into a pipeline with a postgres target.`);
  }
  if (pipeline.versionColumn === undefined) {
    throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline.name}" has no versionColumn; the load's merge needs one for its guard. To fix: set versionColumn.`);
  }
  const columns = Object.entries(pipeline.columns).map(([name, type]) => {
    const sinkType = sinkTypes[type];
    if (sinkType === undefined) throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline.name}" column "${name}" has type ${type}, which ELT loads do not support yet. To fix: use one of ${Object.keys(sinkTypes).join(', ')}.`);
    return { name, type: sinkType };
  });
  return { schema: pipeline.target.schema, table: pipeline.target.table, keyColumns: pipeline.keyColumns, versionColumn: pipeline.versionColumn, columns };
}

/** `<service url>/<container>/<blob name>` of this app's Blob account; a URL of another account is refused. */
function splitBlobUrl(blobUrl: string): { container: string; blob: string } {
  const base = eltBlobService().url.replace(/\/+$/, '');
  const url = new URL(blobUrl);
  const full = `${url.origin}${url.pathname}`;
  const rest = full.startsWith(`${base}/`) ? full.slice(base.length + 1) : '';
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) throw invalid(`blobUrl ${JSON.stringify(blobUrl)} is not a blob of this app's storage account (${base}). To fix: pass a blob URL under ${base}/<container>/, or container and blob.`);
  return { container: rest.slice(0, slash), blob: decodeURIComponent(rest.slice(slash + 1)) };
}

export function buildLoadInput(request: LoadRequest, config: SluiceConfig, loadId: string): EltLoadInput {
  const pipeline = config.pipelines.find((p) => p.name === request.pipeline);
  if (pipeline === undefined) throw new SluiceError('ConfigNotFound', `Pipeline "${request.pipeline}" does not exist. To fix: name a pipeline of the configuration (GET /api/config).`);
  if (pipeline.format.kind === 'csv' && !pipeline.format.header) {
    throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline.name}" reads CSV without a header line, which ELT loads do not support yet. To fix: land CSV files with a header line and set format.header true.`);
  }
  const semaphore = config.semaphores.find((s) => s.kind === 'target' && s.name === pipeline.targetSemaphore)!;
  const configured = pipeline.source.kind === 'blob' ? pipeline.source.container : undefined;
  const where = 'blobUrl' in request ? splitBlobUrl(request.blobUrl) : request;
  const container = where.container ?? configured ?? landingContainerName();
  return {
    loadId,
    pipeline: pipeline.name,
    container,
    rejectsContainer: rejectsContainerName(),
    selection: 'blob' in where ? { blob: where.blob } : { prefix: where.prefix },
    format: { kind: pipeline.format.kind, gzip: pipeline.format.gzip, delimiter: pipeline.format.delimiter, quote: pipeline.format.quote, newlinesInQuotes: pipeline.format.newlinesInQuotes },
    table: tableOf(pipeline),
    targetChunkBytes: pipeline.targetChunkBytes,
    maxRejectRatio: pipeline.maxRejectRatio,
    target: { name: `target:${semaphore.name}`, capacity: semaphore.capacity, shards: semaphore.shards, leaseInMs: semaphore.leaseInMs },
    maxPermits: pipeline.maxTargetPermits,
    permitRecheckInMs,
  };
}

export async function startLoad(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      throw invalid('The body is not JSON. To fix: send {"pipeline": "...", "blobUrl": "..."} or {"pipeline", "container"?, "blob" | "prefix"}.');
    }
    const parsed = loadRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw invalid(`The body is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}. To fix: send {"pipeline": "...", "blobUrl": "..."} or {"pipeline", "container"?, "blob" | "prefix"}.`);
    }
    const loadId = `load-${randomUUID()}`;
    const input = buildLoadInput(parsed.data, await getEffectiveConfig(), loadId);
    const client = df.getClient(context);
    await client.startNew(eltLoadOrchestrationName, { instanceId: loadId, input });
    return client.createCheckStatusResponse(request, loadId);
  } catch (error) {
    if (isSluiceError(error) && ['InvalidArgument', 'ConfigInvalid', 'ConfigNotFound'].includes(error.code)) {
      return { status: error.code === 'ConfigNotFound' ? 404 : 400, jsonBody: { error: { code: error.code, message: error.message, target: null } } };
    }
    context.error('sluice:elt load start failed', String(error));
    return { status: isSluiceError(error) && error.retryable ? 503 : 500, jsonBody: { error: { code: isSluiceError(error) ? error.code : 'Internal', message: 'Starting the load failed. To fix: retry; if it persists, check the app logs.', target: null } } };
  }
}

app.http('loadsStart', { route: 'loads', methods: ['POST'], authLevel: 'function', extraInputs: [df.input.durableClient()], handler: startLoad });
