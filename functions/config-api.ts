/**
 * Management API of the runtime configuration (docs/api.md): list, get, put (idempotent, If-Match) and delete
 * items per kind, and the audit trail. Every change is validated with the core schema and audited.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { checkItemInContext, configKindSchema, parseConfigItem, type ConfigKind } from '../core/config';
import { isSluiceError, SluiceError, type SluiceErrorCode } from '../core/errors';
import type { StoredConfigItem } from '../connectors/cosmos';
import { bootstrapConfig, getConfigStore, getEffectiveConfig, invalidateEffectiveConfig } from './config-runtime';
import { applySemaphoreCapacity } from './semaphore-capacity';

const statusOf: Partial<Record<SluiceErrorCode, number>> = {
  ConfigInvalid: 400,
  InvalidArgument: 400,
  ConfigNotFound: 404,
  PreconditionFailed: 412,
};

/** Identity for the audit: the App Service authentication principal, else the caller authenticated by function key. */
function identityOf(request: HttpRequest): string {
  return request.headers.get('x-ms-client-principal-name') ?? 'function-key';
}

function errorResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  if (isSluiceError(error) && statusOf[error.code] !== undefined) {
    return { status: statusOf[error.code], jsonBody: { error: { code: error.code, message: error.message, target: error.ids['target'] ?? null } } };
  }
  // Unexpected (store unreachable, ...): logged with its message, answered without internals.
  const code = isSluiceError(error) ? error.code : 'InternalError';
  context.error(`config API failed: ${(error as Error).message}`);
  return { status: isSluiceError(error) && error.retryable ? 503 : 500, jsonBody: { error: { code, message: 'The configuration store failed. To fix: retry; if it persists, check the app logs.', target: null } } };
}

function parseKind(request: HttpRequest): ConfigKind {
  const result = configKindSchema.safeParse(request.params['kind']);
  if (result.success) return result.data;
  throw new SluiceError('ConfigInvalid', `Unknown configuration kind ${JSON.stringify(request.params['kind'])}. To fix: use one of ${configKindSchema.options.join(', ')}.`, { ids: { target: 'kind' } });
}

function view(stored: StoredConfigItem): Record<string, unknown> {
  return { kind: stored.kind, name: stored.name, version: stored.version, etag: stored.etag, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy, spec: stored.item };
}

function itemResponse(status: number, stored: StoredConfigItem): HttpResponseInit {
  return { status, headers: { ETag: stored.etag }, jsonBody: view(stored) };
}

function handle(fn: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    try {
      return await fn(request, context);
    } catch (error) {
      return errorResponse(error, context);
    }
  };
}

/** The configuration the running app uses: bootstrap file plus stored items, as cached (docs/api.md). */
export async function getEffectiveConfiguration(): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: await getEffectiveConfig() };
}

export async function listConfigAudit(request: HttpRequest): Promise<HttpResponseInit> {
  const limitText = request.query.get('limit');
  const limit = limitText === null ? 100 : Number(limitText);
  return { status: 200, jsonBody: { entries: await (await getConfigStore()).listAudit(limit) } };
}

export async function listConfigItems(request: HttpRequest): Promise<HttpResponseInit> {
  const kind = parseKind(request);
  const items = await (await getConfigStore()).list(kind);
  return { status: 200, jsonBody: { kind, items: items.map(view) } };
}

export async function getConfigItem(request: HttpRequest): Promise<HttpResponseInit> {
  const kind = parseKind(request);
  const name = request.params['name'] ?? '';
  const stored = await (await getConfigStore()).get(kind, name);
  if (stored === undefined) throw notFound(kind, name);
  return itemResponse(200, stored);
}

export async function putConfigItem(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const kind = parseKind(request);
  const name = request.params['name'] ?? '';
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch (error) {
    throw new SluiceError('ConfigInvalid', `The body of PUT /api/config/${kind}/${name} is not valid JSON (${(error as Error).message}). To fix: send one JSON object.`, { ids: { target: '(root)' } });
  }
  const item = parseConfigItem(kind, name, body);
  const store = await getConfigStore();
  // Only a pipeline refers to other items; any other item can be added or changed without breaking the whole,
  // so only pipelines pay for reading every stored item.
  if (kind === 'pipelines') checkItemInContext(bootstrapConfig(), await store.listAll(), kind, name, item);
  const result = await store.put(kind, name, item, { identity: identityOf(request), nowIso: new Date().toISOString(), ifMatch: request.headers.get('if-match') ?? undefined });
  if (result.changed) invalidateEffectiveConfig();
  // A semaphore's capacity lives in its entities too: apply it live (raise: waiters start; lower: no new grants).
  // Also on an unchanged PUT, so a re-run repairs entities a crash left behind; setCapacity is idempotent.
  if (kind === 'semaphores') {
    const semaphore = result.stored.item as { capacity: number; shards: number };
    try {
      await applySemaphoreCapacity(df.getClient(context), { name, capacity: semaphore.capacity, shards: semaphore.shards });
    } catch (error) {
      if (!isSluiceError(error)) throw error;
      context.warn(error.message);
      return { status: 503, headers: { ETag: result.stored.etag }, jsonBody: { error: { code: error.code, message: error.message, target: 'capacity' } } };
    }
  }
  return itemResponse(result.created ? 201 : 200, result.stored);
}

export async function deleteConfigItem(request: HttpRequest): Promise<HttpResponseInit> {
  const kind = parseKind(request);
  const name = request.params['name'] ?? '';
  const store = await getConfigStore();
  checkItemInContext(bootstrapConfig(), await store.listAll(), kind, name, undefined);
  const deleted = await store.delete(kind, name, { identity: identityOf(request), nowIso: new Date().toISOString(), ifMatch: request.headers.get('if-match') ?? undefined });
  if (!deleted) throw notFound(kind, name);
  invalidateEffectiveConfig();
  return { status: 204 };
}

function notFound(kind: ConfigKind, name: string): SluiceError {
  return new SluiceError('ConfigNotFound', `Config item ${kind}/${name} does not exist. To fix: check the name, or PUT it first (GET /api/config/${kind} lists the stored items).`, { ids: { target: 'name' } });
}

app.http('configEffective', { route: 'config', methods: ['GET'], authLevel: 'function', handler: handle(getEffectiveConfiguration) });
app.http('configAudit', { route: 'config/audit', methods: ['GET'], authLevel: 'function', handler: handle(listConfigAudit) });
app.http('configList', { route: 'config/{kind}', methods: ['GET'], authLevel: 'function', handler: handle(listConfigItems) });
app.http('configGet', { route: 'config/{kind}/{name}', methods: ['GET'], authLevel: 'function', handler: handle(getConfigItem) });
app.http('configPut', { route: 'config/{kind}/{name}', methods: ['PUT'], authLevel: 'function', extraInputs: [df.input.durableClient()], handler: handle(putConfigItem) });
app.http('configDelete', { route: 'config/{kind}/{name}', methods: ['DELETE'], authLevel: 'function', handler: handle(deleteConfigItem) });
