/**
 * `<entity>/$management` request/response: decode the operation, call the engine, encode the reply with
 * the status codes the service uses (200, 204 for an empty peek or session list, errors from the factory).
 */
import { message as amqpMessage, types, type Connection, type Message } from 'rhea';
import type { Broker } from '../engine/broker';
import type { Entity } from '../engine/entity';
import type { Disposition } from '../engine/types';
import { errors, isServiceBusEmulatorError } from '../errors';
import { decodeEncoded, encodeDelivered, longToNumber, lockTokenToUuid, toWireMessage, uuidToLockToken, wrapLongArray } from './codec';
import { sendReply } from './reply';

type Body = Record<string, unknown>;
interface Reply {
  statusCode: number;
  body: Body;
}

const ok = (body: Body = {}): Reply => ({ statusCode: 200, body });

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function sessionsOf(entity: Entity, nowMs: number): NonNullable<Entity['sessions']> {
  if (!entity.sessions) throw errors.badRequest(`The entity '${entity.path}' is not session-enabled; session operations need a queue with requiresSession.`, nowMs);
  return entity.sessions;
}

function requireSessionId(body: Body, nowMs: number): string {
  const id = body['session-id'];
  if (typeof id !== 'string') throw errors.badRequest("The request is missing 'session-id'.", nowMs);
  return id;
}

function dispositionFrom(body: Body, nowMs: number): Disposition {
  const status = body['disposition-status'];
  const propertiesToModify = (body['properties-to-modify'] ?? undefined) as Record<string, unknown> | undefined;
  switch (status) {
    case 'completed': return { kind: 'complete' };
    case 'abandoned': return { kind: 'abandon', propertiesToModify };
    case 'defered': return { kind: 'defer', propertiesToModify };
    case 'suspended': return {
      kind: 'deadLetter',
      reason: optionalString(body['deadletter-reason']),
      description: optionalString(body['deadletter-description']),
      propertiesToModify,
    };
    default: throw errors.badRequest(`Unknown disposition-status '${String(status)}'.`, nowMs);
  }
}

const operations: Record<string, (entity: Entity, body: Body, nowMs: number) => Reply> = {
  'com.microsoft:renew-lock': (entity, body) =>
    ok({ expirations: list(body['lock-tokens']).map((t) => new Date(entity.renewLock(uuidToLockToken(t)))) }),
  'com.microsoft:renew-session-lock': (entity, body, now) =>
    ok({ expiration: new Date(sessionsOf(entity, now).renew(requireSessionId(body, now))) }),
  'com.microsoft:get-session-state': (entity, body, now) =>
    ok({ 'session-state': sessionsOf(entity, now).getState(requireSessionId(body, now)) ?? null }),
  'com.microsoft:set-session-state': (entity, body, now) => {
    const state = body['session-state'];
    sessionsOf(entity, now).setState(requireSessionId(body, now), Buffer.isBuffer(state) ? state : undefined);
    return ok();
  },
  'com.microsoft:peek-message': (entity, body) => {
    const records = entity.peek(longToNumber(body['from-sequence-number']), Number(body['message-count'] ?? 1), optionalString(body['session-id']));
    if (records.length === 0) return { statusCode: 204, body: {} };
    return ok({ messages: records.map((r) => ({ message: amqpMessage.encode(toWireMessage(r, undefined)) })) });
  },
  'com.microsoft:receive-by-sequence-number': (entity, body) => {
    const mode = Number(body['receiver-settle-mode'] ?? 1) === 0 ? 'receiveAndDelete' : 'peekLock';
    const delivered = entity.receiveDeferred(list(body['sequence-numbers']).map(longToNumber), mode, optionalString(body['session-id']));
    return ok({
      messages: delivered.map((d) => ({
        message: encodeDelivered(d),
        ...(d.lockToken !== undefined ? { 'lock-token': types.wrap_uuid(lockTokenToUuid(d.lockToken)) } : {}),
      })),
    });
  },
  'com.microsoft:update-disposition': (entity, body, now) => {
    const disposition = dispositionFrom(body, now);
    for (const token of list(body['lock-tokens'])) entity.settle(uuidToLockToken(token), disposition, optionalString(body['session-id']));
    return ok();
  },
  'com.microsoft:schedule-message': (entity, body) => {
    const seqs = list(body.messages).map((entry) => {
      const bytes = (entry as Body).message;
      if (!Buffer.isBuffer(bytes)) throw new TypeError("schedule-message entry without a binary 'message'");
      return entity.enqueue(decodeEncoded(bytes));
    });
    return ok({ 'sequence-numbers': wrapLongArray(seqs) });
  },
  'com.microsoft:cancel-scheduled-message': (entity, body) => {
    entity.cancelScheduled(list(body['sequence-numbers']).map(longToNumber));
    return ok();
  },
  'com.microsoft:get-message-sessions': (entity, body, now) => {
    sessionsOf(entity, now);
    const skip = Number(body.skip ?? 0);
    const top = Number(body.top ?? Number.MAX_SAFE_INTEGER);
    const ids = entity.activeSessionIds().slice(skip, skip + top);
    if (ids.length === 0) return { statusCode: 204, body: {} };
    return ok({ 'sessions-ids': ids, skip: skip + ids.length });
  },
};

function replyFor(broker: Broker, entityPath: string, request: Message): Reply {
  const now = broker.clock.nowMs();
  const operation = String(request.application_properties?.operation ?? '');
  const entity = broker.entity(entityPath);
  if (!entity) throw errors.entityNotFound(entityPath, now);
  const handler = operations[operation];
  if (!handler) throw errors.notSupported(`the $management operation '${operation}' (rules, topics, transactions)`, 'use a queue and the operations listed in local/servicebus/README.md.');
  const body = (request.body ?? {}) as Body;
  try {
    return handler(entity, body, now);
  } catch (e) {
    if (isServiceBusEmulatorError(e)) throw e;
    throw errors.badRequest(`Malformed ${operation} request: ${(e as Error).message}.`, now);
  }
}

export function handleManagementRequest(broker: Broker, entityPath: string, connection: Connection, request: Message): void {
  let reply: Message;
  try {
    const r = replyFor(broker, entityPath, request);
    reply = { body: r.body, application_properties: { statusCode: r.statusCode, statusDescription: r.statusCode === 204 ? 'No Content' : 'OK' } };
  } catch (e) {
    if (!isServiceBusEmulatorError(e)) throw e;
    reply = { body: {}, application_properties: { statusCode: e.statusCode, statusDescription: e.message, errorCondition: e.condition } };
  }
  sendReply(connection, request, reply);
}
