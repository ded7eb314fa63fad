import { isSluiceError, SluiceError } from '../../../core/errors';

describe('SluiceError', () => {
  it('carries code, retryable flag and ids', () => {
    const error = new SluiceError('StreamSuspended', 'Stream "UK_Account" is suspended.', {
      retryable: true,
      ids: { streamId: 'UK_Account' },
    });
    expect(error.code).toBe('StreamSuspended');
    expect(error.retryable).toBe(true);
    expect(error.ids).toEqual({ streamId: 'UK_Account' });
    expect(error.message).toBe('Stream "UK_Account" is suspended.');
  });

  it('defaults to not retryable', () => {
    expect(new SluiceError('ConfigInvalid', 'bad').retryable).toBe(false);
  });

  it('is recognised by name, also on plain objects that crossed a serialisation boundary', () => {
    expect(isSluiceError(new SluiceError('ChunkRejected', 'x'))).toBe(true);
    expect(isSluiceError({ name: 'SluiceError', code: 'ChunkRejected' })).toBe(true);
    expect(isSluiceError(new Error('x'))).toBe(false);
    expect(isSluiceError(null)).toBe(false);
  });
});
