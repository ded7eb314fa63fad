/**
 * Status codes on `$cbs` and `$management` replies, read off the wire with a plain rhea client (the SDK
 * turns them into error codes, which the other tests check).
 */
import { connect, types, type Connection, type Message, type Receiver, type Sender } from 'rhea';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../../local/servicebus';

interface Rpc {
  request(body: unknown, operation: string): Promise<Message>;
  close(): void;
}

async function openRpc(connection: Connection, address: string): Promise<Rpc> {
  const replyTo = `reply-${crypto.randomUUID()}`;
  const pending = new Map<string, (m: Message) => void>();
  const receiver: Receiver = connection.open_receiver({ source: { address }, target: { address: replyTo }, name: replyTo });
  const sender: Sender = connection.open_sender({ target: { address } });
  receiver.on('message', (ctx) => {
    const m = ctx.message as Message;
    pending.get(String(m.correlation_id))?.(m);
  });
  await Promise.all([
    new Promise((r) => receiver.once('receiver_open', r)),
    new Promise((r) => sender.once('sendable', r)),
  ]);
  return {
    request(body, operation) {
      const id = crypto.randomUUID();
      return new Promise<Message>((resolve) => {
        pending.set(id, resolve);
        sender.send({ message_id: id, reply_to: replyTo, body, application_properties: { operation } });
      });
    },
    close() {
      receiver.close();
      sender.close();
    },
  };
}

describe('Service Bus emulator: $cbs and $management status codes on the wire', () => {
  let emulator: ServiceBusEmulator;
  let connection: Connection;
  beforeAll(async () => {
    emulator = await startServiceBusEmulator({ queues: [{ name: 'q' }, { name: 'sq', requiresSession: true }] });
    connection = connect({ host: '127.0.0.1', port: emulator.port, reconnect: false });
    await new Promise((r) => connection.once('connection_open', r));
  });
  afterAll(async () => {
    const closed = new Promise((r) => connection.once('connection_close', r));
    connection.close();
    await closed;
    await emulator.stop();
  });

  it('answers put-token with status-code 202', async () => {
    const cbs = await openRpc(connection, '$cbs');
    const reply = await cbs.request('token', 'put-token');
    expect(reply.application_properties?.['status-code']).toBe(202);
    cbs.close();
  });

  it('answers an empty peek with 204, a lost lock with 410 message-lock-lost, an unknown operation with 501', async () => {
    const mgmt = await openRpc(connection, 'q/$management');
    const peek = await mgmt.request({ 'from-sequence-number': types.wrap_long(1), 'message-count': types.wrap_int(5) }, 'com.microsoft:peek-message');
    expect(peek.application_properties?.statusCode).toBe(204);
    const renew = await mgmt.request({ 'lock-tokens': types.wrap_array([Buffer.alloc(16, 7)], 0x98, undefined) }, 'com.microsoft:renew-lock');
    expect(renew.application_properties).toMatchObject({ statusCode: 410, errorCondition: 'com.microsoft:message-lock-lost' });
    const deferred = await mgmt.request({ 'sequence-numbers': types.wrap_array([Buffer.alloc(8, 0)], 0x81, undefined), 'receiver-settle-mode': types.wrap_uint(1) }, 'com.microsoft:receive-by-sequence-number');
    expect(deferred.application_properties).toMatchObject({ statusCode: 404, errorCondition: 'com.microsoft:message-not-found' });
    const rule = await mgmt.request({}, 'com.microsoft:add-rule');
    expect(rule.application_properties).toMatchObject({ statusCode: 501, errorCondition: 'amqp:not-implemented' });
    expect(String(rule.application_properties?.statusDescription)).toContain('does not support');
    mgmt.close();
  });

  it('answers session operations on an unlocked session with 410 session-lock-lost and an empty session list with 204', async () => {
    const mgmt = await openRpc(connection, 'sq/$management');
    const state = await mgmt.request({ 'session-id': 'nobody' }, 'com.microsoft:get-session-state');
    expect(state.application_properties).toMatchObject({ statusCode: 410, errorCondition: 'com.microsoft:session-lock-lost' });
    const sessions = await mgmt.request({ 'last-updated-time': new Date(0), skip: types.wrap_int(0), top: types.wrap_int(10) }, 'com.microsoft:get-message-sessions');
    expect(sessions.application_properties?.statusCode).toBe(204);
    mgmt.close();
  });

  it('refuses a $management link to an unknown entity with amqp:not-found', async () => {
    const sender = connection.open_sender({ target: { address: 'nope/$management' } });
    const error = await new Promise<{ condition?: string; description?: string }>((resolve) => {
      sender.once('sender_error', (ctx) => resolve((ctx.sender as Sender).error as { condition?: string }));
    });
    expect(error.condition).toBe('amqp:not-found');
    expect(error.description).toMatch(/The messaging entity 'nope\/\$management' could not be found/);
  });

  it('rejects a transfer above max-message-size with amqp:link:message-size-exceeded, even from a client that ignores the limit', async () => {
    const sender = connection.open_sender({ target: { address: 'q' } });
    await new Promise((r) => sender.once('sendable', r));
    const delivery = sender.send({ body: Buffer.alloc(300 * 1024, 1) });
    const state = await new Promise<{ error?: { condition?: string } }>((resolve) => {
      sender.once('rejected', (ctx) => resolve(ctx.delivery?.remote_state as { error?: { condition?: string } }));
    });
    expect(delivery.id).toBeDefined();
    expect(state.error?.condition).toBe('amqp:link:message-size-exceeded');
    sender.close();
  });

  it('keeps answering on one $management link past 2048 requests (replies are sent settled)', async () => {
    const mgmt = await openRpc(connection, 'q/$management');
    for (let i = 0; i < 2100; i += 100) {
      const replies = await Promise.all(Array.from({ length: 100 }, () =>
        mgmt.request({ 'from-sequence-number': types.wrap_long(1), 'message-count': types.wrap_int(1) }, 'com.microsoft:peek-message')));
      expect(replies.every((r) => r.application_properties?.statusCode === 204)).toBe(true);
    }
    mgmt.close();
  }, 20_000);
});
