import { messageOrigins } from '../../../functions/ingress-origin';

describe('ingress message origins', () => {
  it('takes the correlationId, else the messageId, and the enqueue time of each message of the batch', () => {
    const messages = [
      { correlationId: 'order-7', messageId: 'm-1', enqueuedTimeUtc: new Date('2026-11-23T10:00:00.000Z') },
      { correlationId: null, messageId: 'm-2', enqueuedTimeUtc: 'not a time' },
      { correlationId: '', messageId: null },
    ];
    expect(messageOrigins(messages, 'inv-1')).toEqual([
      { correlationId: 'order-7', enqueuedAtMs: Date.parse('2026-11-23T10:00:00.000Z') },
      { correlationId: 'm-2', enqueuedAtMs: null },
      { correlationId: 'inv-1#2', enqueuedAtMs: null },
    ]);
  });

  it('carries the sequence number (a number or the SDK\'s Long) as the delivery id the stream entity deduplicates by', () => {
    const long = { toString: () => '9007199254740993' };
    expect(messageOrigins([{ messageId: 'a', sequenceNumber: 42 }, { messageId: 'b', sequenceNumber: long }, { messageId: 'c', sequenceNumber: -1 }], 'inv'))
      .toEqual([
        { correlationId: 'a', enqueuedAtMs: null, deliveryId: '42' },
        { correlationId: 'b', enqueuedAtMs: null, deliveryId: '9007199254740993' },
        { correlationId: 'c', enqueuedAtMs: null },
      ]);
  });

  it('bounds an id to 256 characters and copes with messages without ids', () => {
    expect(messageOrigins([{ correlationId: 'x'.repeat(300) }], 'inv')[0]!.correlationId).toHaveLength(256);
    expect(messageOrigins([{}], 'inv')).toEqual([{ correlationId: 'inv#0', enqueuedAtMs: null }]);
  });
});
