import { actionSignature, flattenActions, retryDelayMs, toTimeSpan } from '../../../../../local/host/durable/engine/actions';
import { durableHostSettings } from '../../../../../local/host/durable/host-options';

describe('DF action helpers', () => {
  it('flattens compound actions depth-first, the order DF assigns ids in', () => {
    const flat = flattenActions([
      [
        { actionType: 0, functionName: 'a' },
        { actionType: 11, compoundActions: [{ actionType: 6, externalEventName: 'E' }, { actionType: 12, compoundActions: [{ actionType: 5, fireAt: 'x' }, { actionType: 0, functionName: 'b' }] }] },
      ],
    ]);
    expect(flat.map(actionSignature)).toEqual(['0:a:', '6:E:', '5::', '0:b:']);
  });

  it('writes .NET TimeSpan text as DF parses it', () => {
    expect(toTimeSpan(6 * 86_400_000)).toBe('6.00:00:00');
    expect(toTimeSpan(3_723_000)).toBe('0.01:02:03');
  });

  it('computes DTFx retry delays with backoff and cap', () => {
    const policy = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 5, backoffCoefficient: 2, maxRetryIntervalInMilliseconds: 5000 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(policy, n))).toEqual([1000, 2000, 4000, 5000]);
  });
});

describe('host.json durableTask settings', () => {
  it('reads throttles and resolves the hub name from app settings', () => {
    const s = durableHostSettings({ extensions: { durableTask: { hubName: '%HUB%', maxConcurrentActivityFunctions: 3 } } }, { HUB: 'MyHub' }, 2);
    expect(s).toMatchObject({ hubName: 'MyHub', maxConcurrentActivityFunctions: 3, maxConcurrentOrchestratorFunctions: 20, maxEntityOperationBatchSize: 50 });
  });

  it('names the missing app setting and the fix', () => {
    expect(() => durableHostSettings({ extensions: { durableTask: { hubName: '%NOPE%' } } }, {}, 1)).toThrow(/app setting 'NOPE'.*To fix: set NOPE/);
  });
});
