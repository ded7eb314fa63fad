/**
 * SDK-type Service Bus bindings (`sdkBinding: true`, which `@azure/functions` registers as binding property
 * `supportsDeferredBinding: 'true'`): the host hands the worker each message as `ModelBindingData` instead of its
 * body, as the WebJobs Service Bus extension does (`ConvertReceivedMessageToBindingData`): version "1.0", source
 * "AzureServiceBusReceivedMessage", content type "application/octet-stream", content = the 16 lock-token bytes
 * in .NET Guid byte order, then the received message's AMQP encoding (header, delivery and message annotations,
 * properties, application properties, body). A batch is a `collectionModelBindingData`.
 */
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import rhea from 'rhea';
import type { FunctionBinding, RpcModelBindingData, RpcTypedData } from '../contracts';

export const modelBindingSource = 'AzureServiceBusReceivedMessage';


export function isSdkBinding(binding: FunctionBinding): boolean {
  const properties = binding.properties as Record<string, unknown> | undefined;
  return properties?.supportsDeferredBinding === 'true' || binding.sdkBinding === true;
}

/**
 * Binding `autoCompleteMessages`, else host.json `extensions.serviceBus.autoCompleteMessages`, else true
 * (ServiceBusOptions' default).
 */
export function autoCompleteMessages(binding: FunctionBinding, hostSettings: Record<string, unknown>): boolean {
  if (typeof binding.autoCompleteMessages === 'boolean') return binding.autoCompleteMessages;
  if (typeof hostSettings.autoCompleteMessages === 'boolean') return hostSettings.autoCompleteMessages;
  return true;
}

/** The 16 bytes of a lock token as .NET's Guid.ToByteArray() writes them (first three groups little-endian). */
export function lockTokenBytes(lockToken: string): Buffer {
  const hex = lockToken.replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError(`Lock token "${lockToken}" is not a GUID.`);
  const rfc = Buffer.from(hex, 'hex');
  return Buffer.concat([rfc.subarray(0, 4).reverse(), rfc.subarray(4, 6).reverse(), rfc.subarray(6, 8).reverse(), rfc.subarray(8)]);
}

interface SectionLike {
  typecode: number;
  content: unknown;
  multiple?: boolean;
}

const dataSection = 0x75;
const sequenceSection = 0x76;

function isSection(value: unknown): value is SectionLike {
  return typeof value === 'object' && value !== null && typeof (value as SectionLike).typecode === 'number' && 'content' in value;
}

/** The body section as it came off the wire (the SDK keeps rhea's section in the raw message). */
function bodySection(raw: ServiceBusReceivedMessage['_rawAmqpMessage']): unknown {
  const body: unknown = raw.body;
  if (!isSection(body)) return raw.bodyType === 'data' && Buffer.isBuffer(body) ? rhea.message.data_section(body) : body;
  if (body.typecode === dataSection) return rhea.message.data_sections(body.multiple === true ? (body.content as Buffer[]) : [body.content as Buffer]);
  if (body.typecode === sequenceSection) return rhea.message.sequence_sections(body.multiple === true ? (body.content as unknown[][]) : [body.content as unknown[]]);
  return body.content;
}

/** The broker sends `x-opt-lock-token` as an AMQP uuid; rhea hands it over as 16 bytes, which would encode as binary. */
function deliveryAnnotations(annotations: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const lockToken = annotations?.['x-opt-lock-token'];
  if (!Buffer.isBuffer(lockToken) || lockToken.length !== 16) return annotations;
  return { ...annotations, 'x-opt-lock-token': rhea.types.wrap_uuid(lockToken) };
}

/** The message's AMQP encoding, rebuilt from what the SDK received (as .NET re-encodes its AmqpAnnotatedMessage). */
export function encodeReceivedMessage(message: ServiceBusReceivedMessage): Buffer {
  const raw = message._rawAmqpMessage;
  const header = raw.header ?? {};
  const properties = raw.properties ?? {};
  const wire: Record<string, unknown> = {
    durable: header.durable,
    priority: header.priority,
    ttl: header.timeToLive,
    first_acquirer: header.firstAcquirer,
    // AMQP counts earlier failed deliveries; .NET's message (and so the host's bytes) counts this one too.
    delivery_count: (message.deliveryCount ?? 0) + 1,
    delivery_annotations: deliveryAnnotations(raw.deliveryAnnotations),
    message_annotations: raw.messageAnnotations,
    message_id: properties.messageId,
    to: properties.to,
    subject: properties.subject,
    reply_to: properties.replyTo,
    correlation_id: properties.correlationId,
    content_type: properties.contentType,
    content_encoding: properties.contentEncoding,
    absolute_expiry_time: properties.absoluteExpiryTime === undefined ? undefined : new Date(properties.absoluteExpiryTime),
    creation_time: properties.creationTime === undefined ? undefined : new Date(properties.creationTime),
    group_id: properties.groupId,
    group_sequence: properties.groupSequence,
    reply_to_group_id: properties.replyToGroupId,
    application_properties: raw.applicationProperties,
    body: bodySection(raw),
    footer: raw.footer,
  };
  for (const key of Object.keys(wire)) if (wire[key] === undefined || wire[key] === null) delete wire[key];
  return rhea.message.encode(wire as unknown as rhea.Message);
}

export function modelBindingDataOf(message: ServiceBusReceivedMessage): RpcModelBindingData {
  if (message.lockToken === undefined) {
    throw new TypeError(`Message ${String(message.messageId)} has no lock token: SDK-type bindings need peekLock receives.`);
  }
  return {
    version: '1.0',
    source: modelBindingSource,
    contentType: 'application/octet-stream',
    content: Buffer.concat([lockTokenBytes(message.lockToken), encodeReceivedMessage(message)]),
  };
}

export function sdkBindingData(messages: ServiceBusReceivedMessage[], batch: boolean): RpcTypedData {
  const items = messages.map(modelBindingDataOf);
  return batch ? { collectionModelBindingData: { modelBindingData: items } } : { modelBindingData: items[0] as RpcModelBindingData };
}
