/**
 * The ingress: a session-enabled Service Bus trigger on `%SLUICE_INGRESS_QUEUE%` in batch mode (one batch = one
 * session = one stream), with the SDK-type binding so each message can be settled on its own. Invalid messages
 * are dead-lettered with a reason code and a precise description; the valid ones go to one `ingestBatch`
 * orchestration per batch and are completed by the host once it started (abandoned if the start fails), so a bad
 * message never blocks its session. Contract: docs/ingress.md.
 */
import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ENV_KEYS } from '../core/config';
import { SluiceError } from '../core/errors';
import { ingestBatchOrchestrationName, type IngestBatchInput } from '../orchestrators/ingest-batch';
import { getEffectiveConfig } from './config-runtime';
import { ingestInstanceId, sortBatch, type IngressMessage } from './ingress-batch';
import { messageOrigins, sequenceNumberText } from './ingress-origin';
import { parseSdkMessageBatch } from './service-bus-settlement';
import { startOrchestrationOnce } from './start-once';
import { INGEST_START_RETRY, streamWorkerInputFor } from './stream-worker-config';

export const ingressFunctionName = 'ingress';

/** Starts the batch's ingestBatch unless its instance exists, so a redelivered batch is appended once. */
export function startIngestOnce(client: Pick<df.DurableClient, 'getStatus' | 'startNew'>, instanceId: string, input: IngestBatchInput): Promise<boolean> {
  return startOrchestrationOnce(client, ingestBatchOrchestrationName, instanceId, input);
}

export async function handleIngressBatch(client: df.DurableClient, trigger: unknown, context: InvocationContext): Promise<void> {
  const batch = parseSdkMessageBatch(trigger, ingressFunctionName);
  const metadataSessionId = context.triggerMetadata?.sessionId;
  const sessionId = batch.messages[0]?.sessionId ?? (typeof metadataSessionId === 'string' ? metadataSessionId : undefined);
  if (sessionId === undefined) {
    throw new SluiceError('ConfigInvalid', `${ingressFunctionName}: the batch has no sessionId. To fix: the ingress queue must require sessions (sessionId = stream).`);
  }
  const origins = messageOrigins(batch.messages, context.invocationId);
  const messages: IngressMessage[] = batch.messages.map((m, i) => ({ body: m.body, messageId: m.messageId === undefined ? null : String(m.messageId), origin: origins[i]! }));
  const firstSequence = sequenceNumberText(batch.messages[0]?.sequenceNumber);
  const lastSequence = sequenceNumberText(batch.messages[batch.messages.length - 1]?.sequenceNumber);
  const batchKey = firstSequence !== undefined && lastSequence !== undefined
    ? `${firstSequence}-${lastSequence}`
    : messages.find((m) => m.messageId !== null)?.messageId ?? context.invocationId;
  const config = await getEffectiveConfig();
  const sorted = sortBatch(config, sessionId, messages);

  // Dead-letter first: if that fails the function fails and the host abandons the whole batch before anything started.
  for (const reject of sorted.rejects) {
    await batch.deadletter(batch.messages[reject.index]!, reject.code, reject.description);
  }
  if (sorted.rejects.length > 0) {
    context.warn('sluice:ingress dead-lettered messages', {
      streamId: sessionId,
      deadLettered: sorted.rejects.map((r) => ({ messageId: r.messageId, reason: r.code })),
    });
  }
  if (sorted.events.length === 0 || sorted.pipeline === undefined) return;

  const input: IngestBatchInput = {
    appends: [{ events: sorted.events, ...(sorted.origins === undefined ? {} : { origins: sorted.origins }), worker: streamWorkerInputFor(config, sorted.pipeline, sessionId) }],
    startRetry: INGEST_START_RETRY,
  };
  const instanceId = ingestInstanceId(sessionId, batchKey);
  const started = await startIngestOnce(client, instanceId, input);
  context.log('sluice:ingress batch', { streamId: sessionId, events: sorted.events.length, instanceId, started });
}

app.serviceBusQueue(ingressFunctionName, {
  queueName: `%${ENV_KEYS.ingressQueue}%`,
  connection: ENV_KEYS.serviceBusConnection,
  isSessionsEnabled: true,
  cardinality: 'many',
  sdkBinding: true,
  // The host completes what the function did not settle once it returns, and abandons it if it throws.
  autoCompleteMessages: true,
  extraInputs: [df.input.durableClient()],
  handler: async (trigger: unknown, context: InvocationContext) => handleIngressBatch(df.getClient(context), trigger, context),
});
