/**
 * `loadsOnArrival` (docs/elt.md "On arrival"): a blob trigger on the landing container that starts an `eltLoad` for
 * each new or changed blob whose name matches a pipeline's `source.loadOnArrival` glob (the first such pipeline in
 * declaration order). The instance id derives from the blob's container, name and ETag: a re-delivery of the same
 * version finds its instance and starts nothing, a re-upload (new ETag) loads again, and the load reads exactly
 * the version that triggered it. Registered only when SLUICE_LOADS_ON_ARRIVAL is "true".
 */
import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { createHash } from 'node:crypto';
import { getBlobInfo, quotedEtag } from '../connectors/blob';
import { ENV_KEYS, matchesBlobGlob, type PipelineConfig, type SluiceConfig } from '../core/config';
import { SluiceError } from '../core/errors';
import { eltLoadOrchestrationName } from '../orchestrators/elt-load';
import { getEffectiveConfig } from './config-runtime';
import { buildLoadInput } from './elt/load-input';
import { eltBlobService, landingContainerName } from './elt/runtime';
import { startOrchestrationOnce } from './start-once';

export const loadsOnArrivalFunctionName = 'loadsOnArrival';

/** `load-` + 40 hex of sha256(container/name + quoted ETag): the same blob version always gets the same load id. */
export function arrivalLoadId(container: string, blobName: string, etag: string): string {
  return `load-${createHash('sha256').update(`${container}/${blobName}\n${quotedEtag(etag)}`).digest('hex').slice(0, 40)}`;
}

/** The first pipeline whose `loadOnArrival` glob matches the blob and whose source container is this one. */
export function arrivalPipeline(config: SluiceConfig, container: string, blobName: string): PipelineConfig | undefined {
  return config.pipelines.find((p) => p.source.kind === 'blob' && p.source.loadOnArrival !== undefined &&
    (p.source.container ?? container) === container && matchesBlobGlob(p.source.loadOnArrival, blobName));
}

/** The ETag from the trigger's blob properties (key casing differs between hosts), else undefined. */
function triggerEtag(metadata: Record<string, unknown> | undefined): string | undefined {
  const properties = Object.entries(metadata ?? {}).find(([key]) => key.toLowerCase() === 'properties')?.[1];
  if (typeof properties !== 'object' || properties === null) return undefined;
  const etag = Object.entries(properties).find(([key]) => key.toLowerCase() === 'etag')?.[1];
  return typeof etag === 'string' && etag !== '' ? quotedEtag(etag) : undefined;
}

export async function startLoadOnArrival(_blob: unknown, context: InvocationContext): Promise<void> {
  const container = landingContainerName();
  const blobName = context.triggerMetadata?.['name'];
  if (typeof blobName !== 'string' || blobName === '') {
    throw new SluiceError('MessageInvalid', `${loadsOnArrivalFunctionName}: the trigger gave no blob name. To fix: the function's path must end in "{name}".`);
  }
  const config = await getEffectiveConfig();
  const pipeline = arrivalPipeline(config, container, blobName);
  if (pipeline === undefined) return;
  const blobs = eltBlobService();
  const etag = triggerEtag(context.triggerMetadata) ?? (await getBlobInfo(blobs.getContainerClient(container), blobName)).etag;
  if (etag === '') throw new SluiceError('SourceFailed', `Blob "${blobName}" in "${container}" has no ETag. To fix: retry; the trigger fires again.`, { retryable: true });
  const loadId = arrivalLoadId(container, blobName, etag);
  const input = buildLoadInput({ pipeline: pipeline.name, container, blob: blobName }, config, loadId, blobs.url);
  const started = await startOrchestrationOnce(df.getClient(context), eltLoadOrchestrationName, loadId, { ...input, selection: { blob: blobName, etag } });
  context.log(started ? 'sluice:elt load started on arrival' : 'sluice:elt load of this blob version exists; not started again',
    JSON.stringify({ loadId, pipeline: pipeline.name, blob: blobName, etag }));
}

if (process.env[ENV_KEYS.loadsOnArrival] === 'true') {
  app.storageBlob(loadsOnArrivalFunctionName, {
    path: `${landingContainerName()}/{name}`,
    connection: ENV_KEYS.blobConnection,
    extraInputs: [df.input.durableClient()],
    handler: startLoadOnArrival,
  });
}
