import * as grpc from '@grpc/grpc-js';
import rhea from 'rhea';
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { autoCompleteMessages, isSdkBinding, lockTokenBytes, sdkBindingData } from '../../../../local/host/triggers/service-bus-model-binding';
import { loadSettlementDefinition, type DeadletterRequest } from '../../../../local/host/triggers/settlement-contract';
import { acquireSettlementService, deadLetterOptions, decodeProperties, withWorkerFlags } from '../../../../local/host/triggers/settlement-server';

const realProcess = process.getBuiltinModule('node:process');

function amqpMap(properties: Record<string, unknown>): Buffer {
  const writer = new (rhea.types as unknown as { Writer: new () => { write(value: unknown): void; toBuffer(): Buffer } }).Writer();
  writer.write(rhea.types.wrap_map(properties));
  return writer.toBuffer();
}

function deadletterRequest(properties: Record<string, unknown> | undefined, reason?: string, description?: string): DeadletterRequest {
  return {
    locktoken: 'x',
    propertiesToModify: properties === undefined ? Buffer.alloc(0) : amqpMap(properties),
    deadletterReason: reason === undefined ? null : { value: reason },
    deadletterErrorDescription: description === undefined ? null : { value: description },
  };
}

describe('SDK-type Service Bus binding helpers', () => {
  it('writes a lock token in .NET Guid byte order (first three groups reversed)', () => {
    expect(lockTokenBytes('33221100-5544-7766-8899-aabbccddeeff').toString('hex')).toBe('00112233445566778899aabbccddeeff');
    expect(() => lockTokenBytes('not-a-guid')).toThrow(/not a GUID/);
  });

  it('hands a batch over as ModelBindingData: lock token bytes, then the message as AMQP (header, annotations, properties, body)', () => {
    const lockToken = '33221100-5544-7766-8899-aabbccddeeff';
    const message = {
      lockToken, deliveryCount: 1, messageId: 'm1', body: { x: 1 },
      _rawAmqpMessage: {
        header: { durable: true }, bodyType: 'data',
        properties: { messageId: 'm1', groupId: 'S1', contentType: 'application/json' },
        deliveryAnnotations: { 'x-opt-lock-token': Buffer.from('33221100554477668899aabbccddeeff', 'hex') },
        messageAnnotations: { 'x-opt-enqueued-time': new Date(1_790_000_000_000) },
        applicationProperties: { tenant: 'uk' },
        body: rhea.message.data_section(Buffer.from('{"x":1}')),
      },
    } as unknown as ServiceBusReceivedMessage;
    const data = sdkBindingData([message], true).collectionModelBindingData!.modelBindingData;
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ version: '1.0', source: 'AzureServiceBusReceivedMessage', contentType: 'application/octet-stream' });
    const content = Buffer.from(data[0]!.content);
    expect(content.subarray(0, 16).toString('hex')).toBe('00112233445566778899aabbccddeeff');
    expect(content.includes(Buffer.from('x-opt-lock-token'))).toBe(true);
    const decoded = rhea.message.decode(content.subarray(16)) as unknown as Record<string, unknown> & { body: { content: Buffer } };
    expect(decoded).toMatchObject({ delivery_count: 2, durable: true, message_id: 'm1', group_id: 'S1', content_type: 'application/json', application_properties: { tenant: 'uk' } });
    expect((decoded.message_annotations as Record<string, unknown>)['x-opt-enqueued-time']).toEqual(new Date(1_790_000_000_000));
    expect(decoded.body.content.toString()).toBe('{"x":1}');
  });

  it('recognises sdkBinding from the deferred-binding property @azure/functions registers', () => {
    expect(isSdkBinding({ name: 'm', type: 'serviceBusTrigger', direction: 'in', properties: { supportsDeferredBinding: 'true' } })).toBe(true);
    expect(isSdkBinding({ name: 'm', type: 'serviceBusTrigger', direction: 'in', properties: { supportsDeferredBinding: 'false' } })).toBe(false);
  });

  it('takes autoCompleteMessages from the binding, else host.json, else true', () => {
    const binding = { name: 'm', type: 'serviceBusTrigger', direction: 'in' as const };
    expect(autoCompleteMessages(binding, {})).toBe(true);
    expect(autoCompleteMessages(binding, { autoCompleteMessages: false })).toBe(false);
    expect(autoCompleteMessages({ ...binding, autoCompleteMessages: true }, { autoCompleteMessages: false })).toBe(true);
  });

  it('puts the worker flags into argv, replacing earlier values in either form', () => {
    const argv = withWorkerFlags(['node', 'cli.js', '--app', '.', '--port', '7071', '--host=0.0.0.0'], 5000);
    expect(argv).toEqual(['node', 'cli.js', '--app', '.', '--host', '127.0.0.1', '--port', '5000', '--functions-grpc-max-message-length', '2147483647']);
  });

  it('decodes propertiesToModify as an AMQP map and refuses anything else', () => {
    expect(decodeProperties(Buffer.alloc(0))).toBeUndefined();
    expect(decodeProperties(amqpMap({ a: 'b', n: 3 }))).toEqual({ a: 'b', n: 3 });
    const list = new (rhea.types as unknown as { Writer: new () => { write(value: unknown): void; toBuffer(): Buffer } }).Writer();
    list.write(rhea.types.wrap_list([1, 2]));
    expect(() => decodeProperties(list.toBuffer())).toThrow(/not an AMQP map/);
  });

  it('takes the dead-letter reason from the request or from propertiesToModify, and refuses two different ones', () => {
    expect(deadLetterOptions(deadletterRequest(undefined, 'R', 'D'))).toEqual({ deadLetterReason: 'R', deadLetterErrorDescription: 'D' });
    expect(deadLetterOptions(deadletterRequest({ DeadLetterReason: 'R', DeadLetterErrorDescription: 'D', extra: 1 }))).toEqual({ deadLetterReason: 'R', deadLetterErrorDescription: 'D', extra: 1 });
    expect(deadLetterOptions(deadletterRequest({ DeadLetterReason: 'R' }, 'R'))).toEqual({ deadLetterReason: 'R' });
    expect(() => deadLetterOptions(deadletterRequest({ DeadLetterReason: 'R' }, 'other'))).toThrow(/InvalidOperationException/);
  });
});

describe('Settlement gRPC service', () => {
  it('serves on the port it puts into argv, answers FAILED_PRECONDITION for an unknown lock token, and restores argv when released', async () => {
    const before = [...realProcess.argv];
    const service = await acquireSettlementService();
    const Client = (grpc.loadPackageDefinition(loadSettlementDefinition()) as unknown as { Settlement: grpc.ServiceClientConstructor }).Settlement;
    const client = new Client(`127.0.0.1:${service.port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      complete(request: object, callback: (error: grpc.ServiceError | null) => void): void;
      releaseSession(request: object, callback: (error: grpc.ServiceError | null) => void): void;
    };
    try {
      expect(realProcess.argv.slice(-6)).toEqual(['--host', '127.0.0.1', '--port', String(service.port), '--functions-grpc-max-message-length', '2147483647']);
      const completeError = await new Promise<grpc.ServiceError | null>((resolve) => client.complete({ locktoken: 'f00' }, resolve));
      expect(completeError).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: expect.stringContaining('LockToken f00 not found.') });
      const releaseError = await new Promise<grpc.ServiceError | null>((resolve) => client.releaseSession({ sessionId: 'S' }, resolve));
      expect(releaseError).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: expect.stringContaining('SessionId S not found.') });
    } finally {
      client.close();
      await service.release();
    }
    expect(realProcess.argv).toEqual(before);
  });
});
