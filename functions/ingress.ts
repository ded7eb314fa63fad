/**
 * The ingress: a session-enabled Service Bus trigger on `%SLUICE_INGRESS_QUEUE%` in batch mode (one batch = one
 * session = one stream). Valid events go to one `ingestBatch` orchestration per batch; invalid ones are written
 * with their reason to the rejects container and the batch still completes, so a bad message never blocks its
 * session. Contract: docs/ingress.md.
 */
import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ENV_KEYS } from '../core/config';
import { SluiceError } from '../core/errors';
import { ingestBatchOrchestrationName, type IngestBatchInput } from '../orchestrators/ingest-batch';
import { getRejectsContainer } from './app-services';
import { getEffectiveConfig } from './config-runtime';
import { ingestInstanceId, rejectsNdjson, sortBatch, type IngressMessage } from './ingress-batch';
import { startOrchestrationOnce } from './start-once';
import { messageOrigins } from './ingress-origin';
import { INGEST_START_RETRY, streamWorkerInputFor } from './stream-worker-config';
import { translateBlobError } from '../connectors/blob';

export const ingressFunctionName = 'ingress';

function stringArray(value: unknown, length: number): Array<string | null> {
  const array = Array.isArray(value) ? value : [];
  return Array.from({ length }, (_, i) => (array[i] === undefined || array[i] === null ? null : String(array[i])));
}

/** Rejects blob name: deterministic per batch, so a redelivered batch overwrites its own rejects. */
export function rejectsBlobNameFor(sessionId: string, firstMessageId: string): string {
  return `ingress/${encodeURIComponent(sessionId)}/${encodeURIComponent(firstMessageId)}.ndjson`;
}

/** Starts the batch's ingestBatch unless its instance exists, so a redelivered batch is appended once. */
export function startIngestOnce(client: Pick<df.DurableClient, 'getStatus' | 'startNew'>, instanceId: string, input: IngestBatchInput): Promise<boolean> {
  return startOrchestrationOnce(client, ingestBatchOrchestrationName, instanceId, input);
}

export async function handleIngressBatch(client: df.DurableClient, bodies: unknown[], context: InvocationContext): Promise<void> {
  const metadata = context.triggerMetadata ?? {};
  const sessionId = typeof metadata.sessionId === 'string' ? metadata.sessionId : undefined;
  if (sessionId === undefined) {
    throw new SluiceError('ConfigInvalid', `${ingressFunctionName}: the batch has no sessionId. To fix: the ingress queue must require sessions (sessionId = stream).`);
  }
  const ids = stringArray(metadata.messageIdArray, bodies.length);
  const origins = messageOrigins(metadata, bodies.length, context.invocationId);
  const messages: IngressMessage[] = bodies.map((body, i) => ({ body, messageId: ids[i] ?? null, origin: origins[i]! }));
  const batchId = ids.find((id) => id !== null) ?? context.invocationId;
  const config = await getEffectiveConfig();
  const sorted = sortBatch(config, sessionId, messages);

  if (sorted.rejects.length > 0) {
    const container = await getRejectsContainer();
    const name = rejectsBlobNameFor(sessionId, batchId);
    try {
      await container.getBlockBlobClient(name).uploadData(Buffer.from(rejectsNdjson(sorted.rejects), 'utf8'), {
        blobHTTPHeaders: { blobContentType: 'application/x-ndjson' },
      });
    } catch (error) {
      throw translateBlobError(error, `ingress rejects upload of ${container.containerName}/${name}`, 'SinkFailed', { streamId: sessionId });
    }
    context.warn('sluice:ingress rejected messages', { streamId: sessionId, rejects: sorted.rejects.length, blob: `${container.containerName}/${name}` });
  }
  if (sorted.events.length === 0 || sorted.pipeline === undefined) return;

  const input: IngestBatchInput = {
    appends: [{ events: sorted.events, ...(sorted.origins === undefined ? {} : { origins: sorted.origins }), worker: streamWorkerInputFor(config, sorted.pipeline, sessionId) }],
    startRetry: INGEST_START_RETRY,
  };
  const instanceId = ingestInstanceId(sessionId, batchId);
  const started = await startIngestOnce(client, instanceId, input);
  context.log('sluice:ingress batch', { streamId: sessionId, events: sorted.events.length, instanceId, started });
}

app.serviceBusQueue(ingressFunctionName, {
  queueName: `%${ENV_KEYS.ingressQueue}%`,
  connection: ENV_KEYS.serviceBusConnection,
  isSessionsEnabled: true,
  cardinality: 'many',
  extraInputs: [df.input.durableClient()],
  handler: async (messages: unknown, context: InvocationContext) =>
    handleIngressBatch(df.getClient(context), Array.isArray(messages) ? messages : [messages], context),
});
