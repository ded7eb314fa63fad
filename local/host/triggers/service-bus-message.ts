/**
 * Service Bus message -> the RPC shapes the Azure host sends to the Node worker: the body as the trigger value
 * (string, JSON or bytes; `collectionString` for `cardinality: 'many'`) and `triggerMetadata` keyed as the .NET
 * binding contract names them (the Node library camel-cases them: `SessionId` -> `sessionId`; `...Array` keys for
 * batches).
 */
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import type { RpcTypedData } from '../contracts';

export function messageBodyData(message: ServiceBusReceivedMessage): RpcTypedData {
  const body: unknown = message.body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return { bytes: body };
  if (typeof body === 'string') return { string: body };
  return { json: JSON.stringify(body ?? null) };
}

export function messagesBodyData(messages: ServiceBusReceivedMessage[]): RpcTypedData {
  return { collectionString: { string: messages.map((message) => bodyText(message.body)) } };
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return JSON.stringify(body ?? null);
}

/** Metadata values of one message, by .NET binding-contract name. */
function metadataValues(message: ServiceBusReceivedMessage): Record<string, unknown> {
  const properties = message.applicationProperties ?? {};
  return {
    MessageId: message.messageId === undefined ? undefined : String(message.messageId),
    SessionId: message.sessionId,
    CorrelationId: message.correlationId === undefined ? undefined : String(message.correlationId),
    ContentType: message.contentType,
    Subject: message.subject,
    Label: message.subject,
    ReplyTo: message.replyTo,
    ReplyToSessionId: message.replyToSessionId,
    To: message.to,
    PartitionKey: message.partitionKey,
    DeliveryCount: message.deliveryCount,
    SequenceNumber: message.sequenceNumber === undefined ? undefined : Number(message.sequenceNumber.toString()),
    EnqueuedTimeUtc: message.enqueuedTimeUtc?.toISOString(),
    ExpiresAtUtc: message.expiresAtUtc?.toISOString(),
    LockToken: message.lockToken,
    DeadLetterSource: message.deadLetterSource,
    ApplicationProperties: properties,
    UserProperties: properties,
  };
}

function typed(value: unknown): RpcTypedData {
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'number' && Number.isInteger(value)) return { int: value };
  return { json: JSON.stringify(value) };
}

export function messageMetadata(message: ServiceBusReceivedMessage): Record<string, RpcTypedData> {
  const metadata: Record<string, RpcTypedData> = {};
  for (const [key, value] of Object.entries(metadataValues(message))) {
    if (value !== undefined) metadata[key] = typed(value);
  }
  return metadata;
}

export function messagesMetadata(messages: ServiceBusReceivedMessage[]): Record<string, RpcTypedData> {
  const all = messages.map(metadataValues);
  const keys = new Set(all.flatMap((values) => Object.keys(values)));
  const metadata: Record<string, RpcTypedData> = {};
  for (const key of keys) metadata[`${key}Array`] = { json: JSON.stringify(all.map((values) => values[key] ?? null)) };
  // A session batch holds one session only, so the singular key is meaningful too (the Azure host sets it).
  const sessionId = messages[0]?.sessionId;
  if (sessionId !== undefined) metadata.SessionId = { string: sessionId };
  return metadata;
}
