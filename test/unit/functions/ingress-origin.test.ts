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

  it('bounds an id to 256 characters and copes with messages without ids', () => {
    expect(messageOrigins([{ correlationId: 'x'.repeat(300) }], 'inv')[0]!.correlationId).toHaveLength(256);
    expect(messageOrigins([{}], 'inv')).toEqual([{ correlationId: 'inv#0', enqueuedAtMs: null }]);
  });
});
