/**
 * Operators' API of semaphores (docs/api.md): list and get semaphores (capacity, held, available, holders with
 * leases, waiters with positions; shards aggregated) and set a semaphore's capacity. The capacity is configuration:
 * `PUT /api/semaphores/{name}/capacity` stores it in the configuration store (versioned, audited, like
 * `PUT /api/config/semaphores/{name}`) and applies it to the live entities through `semaphoreControl`.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { parseConfigItem } from '../core/config';
import { SluiceError } from '../core/errors';
import { semaphoreEntityName } from '../entities/semaphore-operations';
import { bootstrapConfig, getConfigStore, invalidateEffectiveConfig } from './config-runtime';
import { durableClientInput, listAllEntities } from './durable-entities';
import { handle, jsonBody, parseWith } from './http-operator';
import { applySemaphoreCapacity } from './semaphore-capacity';
import { semaphoreViews, type SemaphoreApiView } from './semaphore-views';

const nameSchema = z.string().regex(/^(source|target):[^#\s/]+$/, 'expected "source:<name>" or "target:<name>"');
const capacityBodySchema = z.object({ capacity: z.number().int().min(1) }).strict();

function nameOf(request: HttpRequest): string {
  return parseWith(z.object({ name: nameSchema }), { name: request.params['name'] }, 'semaphore').name;
}

async function viewOf(context: InvocationContext, name: string): Promise<SemaphoreApiView | undefined> {
  const entities = await listAllEntities(context, semaphoreEntityName);
  return semaphoreViews(entities.filter((e) => e.key === name || e.key.startsWith(`${name}#`)))[0];
}

export async function listSemaphores(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: { semaphores: semaphoreViews(await listAllEntities(context, semaphoreEntityName)) } };
}

export async function getSemaphore(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const name = nameOf(request);
  const view = await viewOf(context, name);
  if (view === undefined) {
    throw new SluiceError('SemaphoreNotFound', `Semaphore "${name}" has no entity yet (nothing acquired it and no capacity was set). ` +
      'To fix: check the name; GET /api/semaphores lists the live ones, GET /api/config/semaphores the configured ones.', { ids: { target: 'name', semaphore: name } });
  }
  return { status: 200, jsonBody: view };
}

export async function putSemaphoreCapacity(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const name = nameOf(request);
  const where = `PUT /api/semaphores/${name}/capacity`;
  const { capacity } = parseWith(capacityBodySchema, await jsonBody(request, where), where);
  const store = await getConfigStore();
  const current = (await store.get('semaphores', name))?.item ?? bootstrapConfig().semaphores.find((s) => `${s.kind}:${s.name}` === name);
  if (current === undefined) {
    throw new SluiceError('SemaphoreNotFound', `Semaphore "${name}" is not in the configuration. To fix: create it with PUT /api/config/semaphores/${name} (its shards and capacity).`, { ids: { target: 'name', semaphore: name } });
  }
  const item = parseConfigItem('semaphores', name, { ...current, capacity });
  const { shards } = item as { shards: number };
  const identity = request.headers.get('x-ms-client-principal-name') ?? 'function-key';
  const result = await store.put('semaphores', name, item, { identity, nowIso: new Date().toISOString(), ifMatch: request.headers.get('if-match') ?? undefined });
  if (result.changed) invalidateEffectiveConfig();
  // Stored first, then applied: a timeout (503) leaves it stored, and repeating the PUT re-applies it.
  await applySemaphoreCapacity(df.getClient(context), { name, capacity, shards });
  return { status: 200, headers: { ETag: result.stored.etag }, jsonBody: { config: { version: result.stored.version, etag: result.stored.etag }, semaphore: await viewOf(context, name) } };
}

const extraInputs = [durableClientInput];
app.http('semaphoresList', { route: 'semaphores', methods: ['GET'], authLevel: 'function', extraInputs, handler: handle(listSemaphores) });
app.http('semaphoresGet', { route: 'semaphores/{name}', methods: ['GET'], authLevel: 'function', extraInputs, handler: handle(getSemaphore) });
app.http('semaphoresPutCapacity', { route: 'semaphores/{name}/capacity', methods: ['PUT'], authLevel: 'function', extraInputs, handler: handle(putSemaphoreCapacity) });
