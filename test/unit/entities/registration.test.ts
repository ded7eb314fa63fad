import { loadApp } from '../../support/durable-app';

describe('app registration', () => {
  it('registers the entities, orchestrations and self-contained activities under their style-guide names', () => {
    const app = loadApp();
    expect(app.triggerType('stream')).toBe('entityTrigger');
    expect(app.triggerType('semaphore')).toBe('entityTrigger');
    expect(app.triggerType('streamWorker')).toBe('orchestrationTrigger');
    expect(app.triggerType('ingestBatch')).toBe('orchestrationTrigger');
    for (const activity of ['notifyGrants', 'raiseAlert', 'startStreamWorker']) expect(app.triggerType(activity)).toBe('activityTrigger');
  });
});
