import { ServiceBusClient, isServiceBusError } from '@azure/service-bus';
import { receiveAtLeast, startHarness, waitFor, type Harness } from './harness';

/** The SDK's internal management client: get-message-sessions has no public API in 7.9.5. */
interface InternalClient {
  _connectionContext: { getManagementClient(entity: string): { listMessageSessions(skip: number, top: number): Promise<string[]> } };
}

describe('Service Bus emulator: sessions', () => {
  let h: Harness;
  const events: string[] = [];
  beforeAll(async () => {
    h = await startHarness({ logger: (event) => events.push(event), queues: [{ name: 'streams', requiresSession: true }, { name: 'brief', requiresSession: true, lockDurationInMs: 400 }, { name: 'plain' }] });
  });
  afterAll(async () => h.stop());

  it('acceptSession(id) locks that session, delivers its messages in FIFO order and reports the lock expiry', async () => {
    const sender = h.client.createSender('streams');
    await sender.sendMessages([1, 2, 3, 4].map((n) => ({ body: n, sessionId: n % 2 ? 'odd' : 'even' })));
    const odd = await h.client.acceptSession('streams', 'odd');
    expect(odd.sessionId).toBe('odd');
    expect(odd.sessionLockedUntilUtc.getTime()).toBeGreaterThan(Date.now());
    expect(odd.sessionLockedUntilUtc.getTime()).toBeLessThan(Date.now() + 120_000);
    const got = await receiveAtLeast(odd, 2);
    expect(got.map((m) => m.body)).toEqual([1, 3]);
    expect(got.every((m) => m.sessionId === 'odd')).toBe(true);
    for (const m of got) await odd.completeMessage(m);
    await odd.close();
    const even = await h.client.acceptSession('streams', 'even');
    for (const m of await receiveAtLeast(even, 2)) await even.completeMessage(m);
    await even.close();
    await sender.close();
  });

  it('a session held by one receiver cannot be accepted by another (SessionCannotBeLocked) until released', async () => {
    await h.client.createSender('streams').sendMessages({ body: 'x', sessionId: 'busy' });
    const first = await h.client.acceptSession('streams', 'busy');
    const err = await h.client.acceptSession('streams', 'busy').catch((e: unknown) => e);
    expect(isServiceBusError(err) && err.code).toBe('SessionCannotBeLocked');
    await first.close();
    const second = await h.client.acceptSession('streams', 'busy');
    const [m] = await receiveAtLeast(second, 1);
    await second.completeMessage(m!);
    await second.close();
  });

  it('acceptNextSession picks the session with the oldest message and skips locked ones', async () => {
    const sender = h.client.createSender('streams');
    await sender.sendMessages([{ body: 'a1', sessionId: 'A' }, { body: 'b1', sessionId: 'B' }]);
    const a = await h.client.acceptNextSession('streams');
    expect(a.sessionId).toBe('A');
    const b = await h.client.acceptNextSession('streams');
    expect(b.sessionId).toBe('B');
    for (const r of [a, b]) {
      for (const m of await receiveAtLeast(r, 1)) await r.completeMessage(m);
      await r.close();
    }
    await sender.close();
  });

  it('acceptNextSession long-polls until a session gets a message, and fails with ServiceTimeout when none comes', async () => {
    const fast = new ServiceBusClient(h.emulator.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 400 } });
    try {
      const started = Date.now();
      const err = await fast.acceptNextSession('streams').catch((e: unknown) => e);
      expect(isServiceBusError(err) && err.code).toBe('ServiceTimeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      const waitsBefore = events.filter((e) => e === 'accept-next-session-waiting').length;
      const waiting = h.client.acceptNextSession('streams');
      await waitFor('the accept to be held by the emulator', () =>
        events.filter((e) => e === 'accept-next-session-waiting').length > waitsBefore ? true : undefined);
      await h.client.createSender('streams').sendMessages({ body: 'wake', sessionId: 'late' });
      const r = await waiting;
      expect(r.sessionId).toBe('late');
      for (const m of await receiveAtLeast(r, 1)) await r.completeMessage(m);
      await r.close();
    } finally {
      await fast.close();
    }
  });

  it('session state round-trips, peek is per session, get-message-sessions lists sessions', async () => {
    const sender = h.client.createSender('streams');
    await sender.sendMessages([{ body: 's1', sessionId: 'S' }, { body: 't1', sessionId: 'T' }, { body: 's2', sessionId: 'S' }]);
    const s = await h.client.acceptSession('streams', 'S');
    expect(await s.getSessionState()).toBeNull();
    await s.setSessionState({ cursor: 42 });
    expect(await s.getSessionState()).toEqual({ cursor: 42 });
    expect((await s.peekMessages(10)).map((m) => m.body)).toEqual(['s1', 's2']);
    const sessions = await (h.client as unknown as InternalClient)._connectionContext.getManagementClient('streams').listMessageSessions(0, 10);
    expect([...sessions].sort()).toEqual(expect.arrayContaining(['S', 'T']));
    const renewed = await s.renewSessionLock();
    expect(renewed.getTime()).toBeGreaterThanOrEqual(s.sessionLockedUntilUtc.getTime() - 1000);
    for (const m of await receiveAtLeast(s, 2)) await s.completeMessage(m);
    await s.setSessionState(null);
    await s.close();
    const t = await h.client.acceptSession('streams', 'T');
    for (const m of await receiveAtLeast(t, 1)) await t.completeMessage(m);
    await t.close();
    await sender.close();
  });

  it('an expired session lock detaches the receiver (SessionLockLost) and its messages come back with deliveryCount + 1', async () => {
    await h.client.createSender('brief').sendMessages({ body: 'held', sessionId: 'X' });
    const r = await h.client.acceptSession('brief', 'X', { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await receiveAtLeast(r, 1);
    const next = await h.client.acceptSession('brief', 'X').catch(async (e: unknown) => {
      expect(isServiceBusError(e) && e.code).toBe('SessionCannotBeLocked');
      // Wait for the 400 ms lock to lapse by retrying the accept (bounded), not by sleeping.
      for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
        const again = await h.client.acceptSession('brief', 'X').catch(() => undefined);
        if (again) return again;
      }
      throw new Error('session X never became free');
    });
    const err = await r.completeMessage(m!).catch((e: unknown) => e);
    expect(isServiceBusError(err) && err.code).toBe('SessionLockLost');
    const [again] = await receiveAtLeast(next, 1);
    expect(again?.body).toBe('held');
    expect(again?.deliveryCount).toBe(1);
    await next.completeMessage(again!);
    await next.close();
  });

  it('rejects a plain receiver on a session queue and a session receiver on a plain queue', async () => {
    const err1 = await h.client.createReceiver('streams').receiveMessages(1, { maxWaitTimeInMs: 200 }).catch((e: unknown) => e);
    expect(isServiceBusError(err1)).toBe(true);
    const err2 = await h.client.acceptSession('plain', 'x').catch((e: unknown) => e);
    expect(isServiceBusError(err2)).toBe(true);
    const err3 = await h.client.createSender('streams').sendMessages({ body: 'no session id' }).catch((e: unknown) => e);
    expect(isServiceBusError(err3)).toBe(true);
  });
});
