import rhea from 'rhea';
import { deadLetterProperties, maxDeadLetterDescriptionLength, parseSdkMessageBatch } from '../../../functions/service-bus-settlement';

const reader = rhea.types as unknown as { Reader: new (bytes: Buffer) => { read(): unknown }; unwrap_map_simple(value: unknown): unknown };
const decode = (bytes: Uint8Array) => reader.unwrap_map_simple(new reader.Reader(Buffer.from(bytes)).read());

describe('SDK-type Service Bus trigger value', () => {
  it('encodes the dead-letter reason and description as the AMQP map propertiesToModify, cutting long descriptions', () => {
    expect(decode(deadLetterProperties('NotJson', 'body is not JSON'))).toEqual({ DeadLetterReason: 'NotJson', DeadLetterErrorDescription: 'body is not JSON' });
    const long = decode(deadLetterProperties('InvalidBody', 'x'.repeat(5000))) as { DeadLetterErrorDescription: string };
    expect(long.DeadLetterErrorDescription).toHaveLength(maxDeadLetterDescriptionLength);
    expect(long.DeadLetterErrorDescription.endsWith('…')).toBe(true);
  });

  it('dead-letters through the library action with the message and the encoded properties', async () => {
    const calls: Array<[unknown, unknown]> = [];
    const message = { body: '{}', messageId: 'm1', sessionId: 'S', lockToken: '33221100-5544-7766-8899-aabbccddeeff' };
    // A class instance, as the library's: its method needs `this`.
    class Actions {
      readonly calls = calls;
      async deadletter(m: unknown, p: unknown) {
        this.calls.push([m, p]);
      }
    }
    const batch = parseSdkMessageBatch({ messages: [message], actions: new Actions() }, 'ingress');
    await batch.deadletter(batch.messages[0]!, 'SessionMismatch', 'why');
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe(message);
    expect(decode(calls[0]![1] as Uint8Array)).toEqual({ DeadLetterReason: 'SessionMismatch', DeadLetterErrorDescription: 'why' });
  });

  it('refuses a trigger value that is not an SDK-type batch, naming the fix', () => {
    expect(() => parseSdkMessageBatch(['{"stream":"S"}'], 'ingress')).toThrow(/ingress: the trigger value is not a Service Bus message batch with settlement actions: .*To fix: register the trigger with sdkBinding: true/s);
    expect(() => parseSdkMessageBatch({ messages: [{ body: 1 }], actions: { deadletter: () => undefined } }, 'ingress')).toThrow(/lockToken/);
  });
});
