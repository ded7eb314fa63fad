/**
 * `POST /api/loads` (docs/elt.md): starts an `eltLoad` orchestration for one blob (by URL or name) or every blob
 * under a prefix, with the input built from the effective configuration (functions/elt/load-input.ts) so the load
 * sees one consistent configuration. Answers with the Durable check-status response (202 + Location).
 * `GET /api/loads/{id}`: the load's Durable status (progress in customStatus) with its ledger entry (docs/api.md).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { randomUUID } from 'node:crypto';
import { isSluiceError } from '../core/errors';
import { eltLoadOrchestrationName } from '../orchestrators/elt-load';
import { getEffectiveConfig } from './config-runtime';
import { buildLoadInput, invalid, loadRequestSchema } from './elt/load-input';
import { eltBlobService } from './elt/runtime';
import { getLedger } from './app-services';
import { instanceExists } from './start-once';

export async function startLoad(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      throw invalid('The body is not JSON. To fix: send {"pipeline": "...", "blobUrl": "..."} or {"pipeline", "container"?, "blob" | "prefix"}.');
    }
    const parsed = loadRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw invalid(`The body is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}. To fix: send {"pipeline": "...", "blobUrl": "..."} or {"pipeline", "container"?, "blob" | "prefix"}.`);
    }
    const loadId = `load-${randomUUID()}`;
    const input = buildLoadInput(parsed.data, await getEffectiveConfig(), loadId, eltBlobService().url);
    const client = df.getClient(context);
    await client.startNew(eltLoadOrchestrationName, { instanceId: loadId, input });
    return client.createCheckStatusResponse(request, loadId);
  } catch (error) {
    if (isSluiceError(error) && ['InvalidArgument', 'ConfigInvalid', 'ConfigNotFound'].includes(error.code)) {
      return { status: error.code === 'ConfigNotFound' ? 404 : 400, jsonBody: { error: { code: error.code, message: error.message, target: null } } };
    }
    context.error('sluice:elt load start failed', String(error));
    return { status: isSluiceError(error) && error.retryable ? 503 : 500, jsonBody: { error: { code: isSluiceError(error) ? error.code : 'Internal', message: 'Starting the load failed. To fix: retry; if it persists, check the app logs.', target: null } } };
  }
}

const loadIdPattern = /^load-[A-Za-z0-9-]{1,100}$/;

function notFound(id: string): HttpResponseInit {
  return { status: 404, jsonBody: { error: { code: 'LoadNotFound', message: `Load "${id}" does not exist (or its history was purged). To fix: use the id POST /api/loads answered with.`, target: 'id' } } };
}

export async function getLoad(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = request.params['id'] ?? '';
  if (!loadIdPattern.test(id)) return notFound(id);
  const client = df.getClient(context);
  if (!(await instanceExists(client, id))) return notFound(id);
  const status = await client.getStatus(id, { showInput: true });
  const pipeline = (status.input as { pipeline?: unknown } | null | undefined)?.pipeline;
  let ledger: unknown = null;
  let ledgerError: string | undefined;
  if (typeof pipeline === 'string') {
    try {
      ledger = (await (await getLedger()).getEntry(pipeline, 'load', id)) ?? null;
    } catch (error) {
      // The status is still worth answering; say why the ledger part is missing.
      ledgerError = isSluiceError(error) ? error.message : 'The ledger could not be read.';
      context.warn('sluice:elt ledger read failed', JSON.stringify({ loadId: id, error: String(error) }));
    }
  }
  return {
    status: 200,
    jsonBody: {
      id,
      pipeline: typeof pipeline === 'string' ? pipeline : null,
      runtimeStatus: status.runtimeStatus,
      createdTime: status.createdTime,
      lastUpdatedTime: status.lastUpdatedTime,
      customStatus: status.customStatus ?? null,
      output: status.output ?? null,
      ledger,
      ...(ledgerError === undefined ? {} : { ledgerError }),
    },
  };
}

app.http('loadsStart', { route: 'loads', methods: ['POST'], authLevel: 'function', extraInputs: [df.input.durableClient()], handler: startLoad });
app.http('loadsGet', { route: 'loads/{id}', methods: ['GET'], authLevel: 'function', extraInputs: [df.input.durableClient()], handler: getLoad });
