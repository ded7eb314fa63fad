import { messageOrigins } from '../../../functions/ingress-origin';

describe('ingress message origins', () => {
  it('takes the correlationId, else the messageId, and the enqueue time of each message of the batch', () => {
    const metadata = {
      correlationIdArray: ['order-7', null, ''],
      messageIdArray: ['m-1', 'm-2', null],
      enqueuedTimeUtcArray: ['2026-11-23T10:00:00.000Z', 'not a time', null],
    };
    expect(messageOrigins(metadata, 3, 'inv-1')).toEqual([
      { correlationId: 'order-7', enqueuedAtMs: Date.parse('2026-11-23T10:00:00.000Z') },
      { correlationId: 'm-2', enqueuedAtMs: null },
      { correlationId: 'inv-1#2', enqueuedAtMs: null },
    ]);
  });

  it('bounds an id to 256 characters and copes with metadata without arrays', () => {
    expect(messageOrigins({ correlationIdArray: ['x'.repeat(300)] }, 1, 'inv')[0]!.correlationId).toHaveLength(256);
    expect(messageOrigins({}, 1, 'inv')).toEqual([{ correlationId: 'inv#0', enqueuedAtMs: null }]);
  });
});
