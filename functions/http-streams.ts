/**
 * Operators' API of streams (docs/api.md): list and get a stream's status (lag, counters, failures, which semaphore
 * its worker waits for), suspend, reconcile and resume through the `streamControl` orchestration. A stream's
 * windows (ledger) and replays: http-stream-windows.ts.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { findPipeline } from '../core/config';
import { SluiceError } from '../core/errors';
import { getStreamStatus, streamStateSchema, type StreamState, type StreamStatusView } from '../core/stream';
import { semaphoreEntityName } from '../entities/semaphore-operations';
import { streamEntityName } from '../entities/stream-operations';
import { streamControlOrchestrationName, type StreamControlInput } from '../orchestrators/stream-control';
import { streamResumedEvent } from '../core/telemetry';
import { getEffectiveConfig } from './config-runtime';
import { emitEvents } from './telemetry/emitter';
import { streamWorkerInputFor } from './stream-worker-config';
import { durableClientInput, listAllEntities, listEntityPage, readEntity } from './durable-entities';
import { handle, jsonBody, parseWith, runControl } from './http-operator';
import { semaphoreNameOf, semaphoreStateOf } from './semaphore-views';

const listQuerySchema = z.object({
  top: z.coerce.number().int().min(1).max(1000).default(100),
  continuationToken: z.string().min(1).optional(),
});
const suspendBodySchema = z.object({ reason: z.string().min(1).max(1000) }).strict();
const reconcileBodySchema = z
  .object({ discardFailedWindow: z.boolean().optional(), watermarkMs: z.number().int().nonnegative().nullable().optional() })
  .strict();

function stateOf(key: string, raw: unknown): StreamState {
  const parsed = streamStateSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new Error(`stream(${key}): stored state invalid at "${parsed.error.issues[0]?.path.join('.') ?? ''}"`);
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function summary(view: StreamStatusView): Record<string, unknown> {
  return {
    streamId: view.streamId,
    status: view.status,
    pendingEvents: view.pendingEvents,
    lagMs: view.lagMs,
    lastSuccessAt: iso(view.counters.lastSuccessAtMs),
    consecutiveFailures: view.consecutiveFailures,
    suspendedReason: view.suspension?.reason ?? null,
    counters: view.counters,
  };
}

/** Where the stream's worker stands on the semaphores: the worker orchestration is the semaphore owner. */
async function permitsOf(context: InvocationContext, workerId: string | null): Promise<Record<string, unknown>> {
  if (workerId === null) return { workerId: null, blockedBy: null, waiting: [], holding: [] };
  const waiting: Array<Record<string, unknown>> = [];
  const holding: Array<Record<string, unknown>> = [];
  for (const entity of await listAllEntities(context, semaphoreEntityName)) {
    const state = semaphoreStateOf(entity.key, entity.state);
    const index = state.waiters.findIndex((w) => w.owner === workerId);
    if (index >= 0) waiting.push({ semaphore: semaphoreNameOf(entity.key), key: entity.key, position: index + 1, want: state.waiters[index]!.want });
    const held = state.holders[workerId];
    if (held !== undefined) holding.push({ semaphore: semaphoreNameOf(entity.key), key: entity.key, permits: held.permits, leaseExpiresAt: iso(held.leaseExpiresAtMs) });
  }
  return { workerId, blockedBy: waiting[0] ?? null, waiting, holding };
}

export async function streamView(client: df.DurableClient, id: string): Promise<StreamStatusView> {
  const raw = await readEntity(client, streamEntityName, id);
  if (raw === undefined) {
    throw new SluiceError('StreamNotFound', `Stream "${id}" does not exist (no event was ever appended to it). To fix: check the id; GET /api/streams lists the streams.`, { ids: { target: 'id', streamId: id } });
  }
  return getStreamStatus(stateOf(id, raw), Date.now());
}

export function streamIdOf(request: HttpRequest): string {
  return parseWith(z.string().min(1).max(512), request.params['id'], 'stream id');
}

export async function listStreams(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const query = parseWith(listQuerySchema, Object.fromEntries(request.query.entries()), 'GET /api/streams');
  const page = await listEntityPage(context, streamEntityName, query);
  const nowMs = Date.now();
  const streams = page.entities.map((e) => summary(getStreamStatus(stateOf(e.key, e.state), nowMs)));
  return { status: 200, jsonBody: { streams, continuationToken: page.continuationToken } };
}

export async function getStream(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const view = await streamView(df.getClient(context), streamIdOf(request));
  const links = { windows: `/api/streams/${encodeURIComponent(view.streamId)}/windows` };
  return { status: 200, jsonBody: { ...view, lastSuccessAt: iso(view.counters.lastSuccessAtMs), permits: await permitsOf(context, view.workerId), links } };
}

/** The entity refuses these reconciles (core/stream reconcile); answering 409 here names the cause instead of a failed instance. */
function reconcileRefusal(view: StreamStatusView, input: StreamControlInput): { message: string; target: string } | undefined {
  if (input.command !== 'reconcile') return undefined;
  if (view.status !== 'suspended') {
    return { target: 'status', message: `Stream "${view.streamId}" is ${view.status}, not suspended. To fix: POST /api/streams/${view.streamId}/suspend first, then reconcile.` };
  }
  if (input.discardFailedWindow === true && view.suspension?.failedWindow == null) {
    return { target: 'discardFailedWindow', message: `Stream "${view.streamId}" was suspended with no window open: there is no failed window to discard. To fix: reconcile without discardFailedWindow.` };
  }
  return undefined;
}

async function control(request: HttpRequest, context: InvocationContext, command: 'suspend' | 'reconcile'): Promise<HttpResponseInit> {
  const id = streamIdOf(request);
  const where = `POST /api/streams/${id}/${command}`;
  const body = await jsonBody(request, where);
  const input: StreamControlInput =
    command === 'suspend'
      ? { command, streamId: id, ...parseWith(suspendBodySchema, body, where) }
      : { command, streamId: id, ...parseWith(reconcileBodySchema, body, where) };
  const client = df.getClient(context);
  // The entity exists once an event was appended; a command must not create a stream.
  const before = await streamView(client, id);
  const refusal = reconcileRefusal(before, input);
  if (refusal !== undefined) return { status: 409, jsonBody: { error: { code: 'PreconditionFailed', message: refusal.message, target: refusal.target } } };
  const result = await runControl(client, streamControlOrchestrationName, input, `${command} of stream "${id}"`);
  return { status: 200, jsonBody: { result, stream: await streamView(client, id) } };
}

/**
 * Resume: the stream leaves `suspended`, and if anything is pending one worker is elected and started with the
 * pipeline's current configuration; it processes everything that arrived meanwhile as one catch-up window.
 */
async function resume(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = streamIdOf(request);
  const client = df.getClient(context);
  const before = await streamView(client, id);
  if (before.status !== 'suspended') {
    return { status: 409, jsonBody: { error: { code: 'PreconditionFailed', message: `Stream "${id}" is ${before.status}, not suspended: there is nothing to resume.`, target: 'status' } } };
  }
  const config = await getEffectiveConfig();
  const pipeline = findPipeline(config, id);
  if (pipeline === undefined) {
    return { status: 409, jsonBody: { error: { code: 'ConfigInvalid', message: `No pipeline serves stream "${id}", so no worker can run it. To fix: add a pipeline whose streams match "${id}", then resume.`, target: 'pipeline' } } };
  }
  const input: StreamControlInput = { command: 'resume', worker: streamWorkerInputFor(config, pipeline, id) };
  const result = await runControl(client, streamControlOrchestrationName, input, `resume of stream "${id}"`);
  await emitEvents([streamResumedEvent({ streamId: id, pipeline: pipeline.name })], context);
  return { status: 200, jsonBody: { result, stream: await streamView(client, id) } };
}

const extraInputs = [durableClientInput];
app.http('streamsList', { route: 'streams', methods: ['GET'], authLevel: 'function', extraInputs, handler: handle(listStreams) });
app.http('streamsGet', { route: 'streams/{id}', methods: ['GET'], authLevel: 'function', extraInputs, handler: handle(getStream) });
app.http('streamsSuspend', { route: 'streams/{id}/suspend', methods: ['POST'], authLevel: 'function', extraInputs, handler: handle((r, c) => control(r, c, 'suspend')) });
app.http('streamsResume', { route: 'streams/{id}/resume', methods: ['POST'], authLevel: 'function', extraInputs, handler: handle(resume) });
app.http('streamsReconcile', { route: 'streams/{id}/reconcile', methods: ['POST'], authLevel: 'function', extraInputs, handler: handle((r, c) => control(r, c, 'reconcile')) });
