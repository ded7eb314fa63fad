/**
 * `POST /api/loads` (docs/elt.md): starts an `eltLoad` orchestration for one blob (by URL or name) or every blob
 * under a prefix, with the input built from the effective configuration (functions/elt/load-input.ts) so the load
 * sees one consistent configuration. Answers with the Durable check-status response (202 + Location).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { randomUUID } from 'node:crypto';
import { isSluiceError } from '../core/errors';
import { eltLoadOrchestrationName } from '../orchestrators/elt-load';
import { getEffectiveConfig } from './config-runtime';
import { buildLoadInput, invalid, loadRequestSchema } from './elt/load-input';
import { eltBlobService } from './elt/runtime';

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

app.http('loadsStart', { route: 'loads', methods: ['POST'], authLevel: 'function', extraInputs: [df.input.durableClient()], handler: startLoad });
