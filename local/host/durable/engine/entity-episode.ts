import type { EntityMessage, EntityRecord, NewMessage, StoredMessage } from '../types';
import { entitySchedulerId, parseEntitySchedulerId } from './actions';
import { orchestrationMessage, type EngineContext } from './engine-context';
import { clientInputs, errorText, findFunction, invokeWithPayload } from './invoke';

interface BatchResult {
  isError: boolean;
  result?: string;
}

interface BatchResponse {
  entityExists: boolean;
  entityState?: string | null;
  results: BatchResult[];
  signals: Array<{ target: { name: string; key: string }; name: string; input?: string; requestId?: string }>;
}

type Request = Extract<EntityMessage, { type: 'request' }>;

/**
 * Processes the entity's queued messages in arrival order as one batch (serial per entity). Lock requests
 * are granted here: a locked entity only serves its owner and leaves other messages queued, in order.
 * Returns false when every queued message is waiting for a lock to be released.
 */
export async function runEntityEpisode(ctx: EngineContext, entityId: string): Promise<boolean> {
  const nowMs = ctx.clock.nowMs();
  const messages = ctx.store.messagesFor('entity', entityId, nowMs);
  if (messages.length === 0) return false;
  const { name, key } = parseEntitySchedulerId(entityId);
  const entity: EntityRecord = ctx.store.getEntity(entityId) ?? { entityId, name, key, exists: false, state: null, lockedBy: null, lastOperationMs: nowMs };
  const consumed: number[] = [];
  const out: NewMessage[] = [];
  const batch: Array<{ message: StoredMessage; request: Request }> = [];
  let skipped = false;
  for (const message of messages) {
    const body = message.body as EntityMessage;
    if (body.type === 'release') {
      if (entity.lockedBy === body.parent) entity.lockedBy = null;
      consumed.push(message.id);
      // Messages skipped while locked go first: the next batch starts again from the oldest.
      if (skipped) break;
      continue;
    }
    if (entity.lockedBy !== null && body.parent !== entity.lockedBy) {
      skipped = true;
      continue;
    }
    if (body.lockset !== undefined) {
      entity.lockedBy = body.parent ?? null;
      consumed.push(message.id);
      const next = (body.pos ?? 0) + 1;
      if (next < body.lockset.length) {
        out.push({ queue: 'entity', target: body.lockset[next]!, visibleAtMs: nowMs, body: { ...body, pos: next } });
      } else if (body.parent !== undefined) {
        out.push(orchestrationMessage(body.parent, { type: 'EventRaised', name: body.id, input: JSON.stringify({ result: '"Lock Acquisition Completed"' }) }, nowMs));
      }
      continue;
    }
    if (batch.length >= ctx.maxEntityBatchSize) break;
    batch.push({ message, request: body });
    consumed.push(message.id);
  }
  if (consumed.length === 0) return false;
  if (batch.length > 0) {
    const response = await invokeEntity(ctx, entity, batch.map((b) => b.request));
    if (response.entityExists === false) {
      entity.exists = false;
      entity.state = null;
    } else if (response.entityState !== undefined) {
      entity.exists = true;
      entity.state = response.entityState;
    } else {
      // DF's `return()` without `setState` reports existence but no state (§3.2): keep the stored state.
      entity.exists = entity.exists || entity.state !== null;
    }
    batch.forEach(({ request }, i) => {
      if (request.signal || request.parent === undefined) return;
      const r = response.results[i] ?? { isError: true, result: JSON.stringify('The entity returned no result for this operation.') };
      const reply = r.isError ? { result: r.result ?? 'null', exceptionType: 'Error' } : r.result === undefined ? {} : { result: r.result };
      out.push(orchestrationMessage(request.parent, { type: 'EventRaised', name: request.id, input: JSON.stringify(reply) }, nowMs));
    });
    for (const s of response.signals) {
      out.push({
        queue: 'entity',
        target: entitySchedulerId(s.target.name, s.target.key),
        visibleAtMs: nowMs,
        body: { type: 'request', id: s.requestId ?? ctx.newGuid(), op: s.name, signal: true, ...(s.input ? { input: s.input } : {}), parent: entityId },
      });
    }
  }
  entity.lastOperationMs = nowMs;
  ctx.commit({ putEntities: [entity], deleteMessages: consumed, addMessages: out });
  return true;
}

async function invokeEntity(ctx: EngineContext, entity: EntityRecord, requests: Request[]): Promise<BatchResponse> {
  const failAll = (message: string): BatchResponse => ({
    entityExists: entity.exists,
    entityState: entity.state,
    results: requests.map(() => ({ isError: true, result: JSON.stringify(message) })),
    signals: [],
  });
  const fn = findFunction(ctx.invoker, 'entityTrigger', entity.name);
  if (fn === undefined) {
    return failAll(`The function '${entity.name}' doesn't exist, is disabled, or is not an entity function. To fix: register it with df.app.entity('${entity.name}', ...).`);
  }
  const payload = {
    self: { name: entity.name, key: entity.key },
    exists: entity.exists,
    state: entity.state,
    batch: requests.map((r) => ({ name: r.op ?? '', input: r.input ?? null, isSignal: r.signal, id: r.id })),
  };
  const started = Date.now();
  try {
    const response = (await invokeWithPayload(ctx.invoker, fn, payload, entity.entityId, clientInputs(fn, () => ctx.durableClientPayload()))) as BatchResponse;
    ctx.log({ event: 'Sluice.Function.Invoked', function: fn.name, entityId: entity.entityId, operations: requests.length, durationMs: Date.now() - started, outcome: 'Succeeded' });
    return response;
  } catch (error) {
    ctx.log({ event: 'Sluice.Function.Invoked', function: fn.name, entityId: entity.entityId, durationMs: Date.now() - started, outcome: 'Failed' });
    return failAll(errorText(error).message);
  }
}
