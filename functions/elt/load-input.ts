/**
 * Turns a `POST /api/loads` body and the effective configuration into the complete `eltLoad` input (docs/elt.md):
 * pipeline, target table, format, semaphore and the blob(s) to load. Pure apart from the setting defaults.
 */
import { z } from 'zod';
import type { PipelineConfig, SluiceConfig } from '../../core/config';
import { SluiceError } from '../../core/errors';
import type { EltLoadInput, EltTable } from '../../orchestrators/elt-load-input';
import { cosmosTargetOf, loadOutputsOf } from './load-targets-input';
import { landingContainerName, rejectsContainerName } from './runtime';

/** How often a load waiting for target permits asks the semaphore again (events usually wake it sooner). */
const permitRecheckInMs = 30_000;

export const loadRequestSchema = z.union([
  z.object({ pipeline: z.string().min(1), blobUrl: z.url({ protocol: /^https?$/ }) }).strict(),
  z.object({ pipeline: z.string().min(1), container: z.string().min(1).optional(), blob: z.string().min(1) }).strict(),
  z.object({ pipeline: z.string().min(1), container: z.string().min(1).optional(), prefix: z.string() }).strict(),
]);

export type LoadRequest = z.infer<typeof loadRequestSchema>;

const sinkTypes: Record<string, string | undefined> = { text: 'text', integer: 'int', bigint: 'bigint', numeric: 'numeric', boolean: 'boolean', timestamptz: 'timestamptz', jsonb: 'jsonb' };

export function invalid(message: string): SluiceError {
  return new SluiceError('InvalidArgument', message);
}

function tableOf(pipeline: PipelineConfig): EltTable {
  if (pipeline.target.kind !== 'postgres') {
    throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline.name}" targets ${pipeline.target.kind}, not a PostgreSQL table. To fix: report this; the caller checks the kind.`);
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
function splitBlobUrl(blobUrl: string, blobServiceUrl: string): { container: string; blob: string } {
  const base = blobServiceUrl.replace(/\/+$/, '');
  const url = new URL(blobUrl);
  const full = `${url.origin}${url.pathname}`;
  const rest = full.startsWith(`${base}/`) ? full.slice(base.length + 1) : '';
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) throw invalid(`blobUrl ${JSON.stringify(blobUrl)} is not a blob of this app's storage account (${base}). To fix: pass a blob URL under ${base}/<container>/, or container and blob.`);
  return { container: rest.slice(0, slash), blob: decodeURIComponent(rest.slice(slash + 1)) };
}

/** `blobServiceUrl`: this app's Blob account, the only one a `blobUrl` may point into. */
export function buildLoadInput(request: LoadRequest, config: SluiceConfig, loadId: string, blobServiceUrl: string): EltLoadInput {
  const pipeline = config.pipelines.find((p) => p.name === request.pipeline);
  if (pipeline === undefined) throw new SluiceError('ConfigNotFound', `Pipeline "${request.pipeline}" does not exist. To fix: name a pipeline of the configuration (GET /api/config).`);
  if (pipeline.format.kind === 'csv' && !pipeline.format.header) {
    throw new SluiceError('ConfigInvalid', `Pipeline "${pipeline.name}" reads CSV without a header line, which ELT loads do not support yet. To fix: land CSV files with a header line and set format.header true.`);
  }
  const semaphore = config.semaphores.find((s) => s.kind === 'target' && s.name === pipeline.targetSemaphore)!;
  const configured = pipeline.source.kind === 'blob' ? pipeline.source.container : undefined;
  const where = 'blobUrl' in request ? splitBlobUrl(request.blobUrl, blobServiceUrl) : request;
  const container = where.container ?? configured ?? landingContainerName();
  return {
    loadId,
    pipeline: pipeline.name,
    container,
    rejectsContainer: rejectsContainerName(),
    selection: 'blob' in where ? { blob: where.blob } : { prefix: where.prefix },
    format: { kind: pipeline.format.kind, gzip: pipeline.format.gzip, delimiter: pipeline.format.delimiter, quote: pipeline.format.quote, newlinesInQuotes: pipeline.format.newlinesInQuotes },
    ...(pipeline.target.kind === 'cosmos' ? { cosmos: cosmosTargetOf(pipeline) } : { table: tableOf(pipeline) }),
    targetChunkBytes: pipeline.targetChunkBytes,
    maxRejectRatio: pipeline.maxRejectRatio,
    target: { name: `target:${semaphore.name}`, capacity: semaphore.capacity, shards: semaphore.shards, leaseInMs: semaphore.leaseInMs },
    maxPermits: pipeline.maxTargetPermits,
    permitRecheckInMs,
    ...loadOutputsOf(config, pipeline),
  };
}
