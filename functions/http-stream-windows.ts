/**
 * A stream's processed windows (the ledger, newest first, paged) and replays of committed windows (docs/api.md).
 * A replay is queued on the stream through the `streamControl` orchestration and run by the stream's worker, so it
 * holds the per-stream lock and the target permit like any window.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { findPipeline } from '../core/config';
import { isSluiceError, SluiceError } from '../core/errors';
import { MAX_QUEUED_REPLAYS } from '../core/stream';
import type { LedgerEntry } from '../connectors/cosmos';
import { streamControlOrchestrationName, type StreamControlInput, type StreamControlResult } from '../orchestrators/stream-control';
import { getLedger } from './app-services';
import { getEffectiveConfig } from './config-runtime';
import { durableClientInput } from './durable-entities';
import { handle, jsonBody, parseWith, runControl } from './http-operator';
import { streamIdOf, streamView } from './http-streams';
import { replayRef, windowKey } from './pipeline-target';
import { streamWorkerInputFor } from './stream-worker-config';

/** Most windows one range replay may select: the stream's whole replay queue. */
const MAX_RANGE_REPLAY = MAX_QUEUED_REPLAYS;

const isoTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());
const listQuerySchema = z
  .object({
    from: isoTime.optional(),
    to: isoTime.optional(),
    outcome: z.enum(['running', 'succeeded', 'failed']).optional(),
    top: z.coerce.number().int().min(1).max(1000).default(50),
    continuationToken: z.string().min(1).optional(),
  })
  .strict();
const epochMs = z.number().int().nonnegative();
const replayBodySchema = z
  .object({ seq: z.number().int().positive().optional(), sinceMs: epochMs.optional(), untilMs: epochMs.optional() })
  .strict();

/** The service's continuation token travels wrapped and base64url-encoded, so it is one safe query parameter we can check. */
function encodeToken(token: string | undefined): string | null {
  return token === undefined ? null : Buffer.from(JSON.stringify({ ledger: token }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { ledger?: unknown };
    if (typeof parsed.ledger === 'string') return parsed.ledger;
  } catch {
    // reported below
  }
  throw new SluiceError('InvalidArgument', 'continuationToken is not one this API returned. To fix: pass back the continuationToken of the previous page unchanged.',
    { ids: { target: 'continuationToken' } });
}

function windowView(entry: LedgerEntry): Record<string, unknown> {
  return {
    ref: entry.ref,
    seq: entry.seq ?? null,
    replayOf: entry.replayOf ?? null,
    outcome: entry.outcome,
    startedAt: entry.startedAt,
    finishedAt: entry.finishedAt ?? null,
    window: entry.window ?? null,
    counts: entry.counts,
    durations: entry.durations,
    error: entry.error ?? null,
    files: entry.files ?? [],
  };
}

async function listWindows(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = streamIdOf(request);
  const query = parseWith(listQuerySchema, Object.fromEntries(request.query.entries()), `GET /api/streams/${id}/windows`);
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to) {
    throw new SluiceError('InvalidArgument', `GET /api/streams/${id}/windows: "to" (${query.to}) must be after "from" (${query.from}). To fix: swap or widen them.`, { ids: { target: 'to' } });
  }
  await streamView(df.getClient(context), id);
  const page = await (await getLedger()).listWindows(id, {
    limit: query.top,
    ...(query.from === undefined ? {} : { fromIso: query.from }),
    ...(query.to === undefined ? {} : { toIso: query.to }),
    ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
    ...(query.continuationToken === undefined ? {} : { continuationToken: decodeToken(query.continuationToken) }),
  });
  return { status: 200, jsonBody: { streamId: id, windows: page.entries.map(windowView), continuationToken: encodeToken(page.continuationToken) } };
}

function statusUri(streamId: string, windowSeq: number, replayId: string): string {
  return `/api/streams/${encodeURIComponent(streamId)}/windows/${windowSeq}/replays/${replayId}`;
}

/** The committed windows a replay body names: one `seq`, or every window whose data ends in [sinceMs, untilMs). */
async function windowsToReplay(streamId: string, body: z.infer<typeof replayBodySchema>, where: string): Promise<number[]> {
  const ledger = await getLedger();
  const byRange = body.sinceMs !== undefined || body.untilMs !== undefined;
  if ((body.seq === undefined) === !byRange) {
    throw new SluiceError('InvalidArgument', `${where}: send either { "seq" } or { "sinceMs", "untilMs" }. To fix: see docs/api.md, "Replay a window".`, { ids: { target: '(root)' } });
  }
  if (body.seq !== undefined) {
    const entry = await ledger.getEntry(streamId, 'window', windowKey(streamId, body.seq));
    if (entry === undefined) {
      throw new SluiceError('WindowNotFound', `${where}: stream "${streamId}" has no window ${body.seq} in the ledger. To fix: pick a seq from GET /api/streams/${streamId}/windows.`, { ids: { target: 'seq' } });
    }
    if (entry.outcome !== 'succeeded') {
      throw new SluiceError('PreconditionFailed', `${where}: window ${body.seq} of stream "${streamId}" is ${entry.outcome}, not committed; only committed windows are replayed. ` +
        'To fix: a failed window is retried by the worker (resume or reconcile the stream); replay a succeeded one.', { ids: { target: 'seq' } });
    }
    return [body.seq];
  }
  if (body.sinceMs === undefined || body.untilMs === undefined || body.sinceMs >= body.untilMs) {
    const target = body.sinceMs === undefined ? 'sinceMs' : 'untilMs';
    throw new SluiceError('InvalidArgument', `${where}: a range replay needs both "sinceMs" and "untilMs", with sinceMs < untilMs. To fix: send both, in epoch ms.`, { ids: { target } });
  }
  const entries = await ledger.listCommittedWindows(streamId, {
    untilFromIso: new Date(body.sinceMs).toISOString(), untilToIso: new Date(body.untilMs).toISOString(), limit: MAX_RANGE_REPLAY + 1,
  });
  if (entries.length === 0) {
    throw new SluiceError('WindowNotFound', `${where}: stream "${streamId}" has no committed window whose data ends in [${body.sinceMs}, ${body.untilMs}). ` +
      `To fix: check the range against GET /api/streams/${streamId}/windows (window.until).`, { ids: { target: 'sinceMs' } });
  }
  if (entries.length > MAX_RANGE_REPLAY) {
    throw new SluiceError('InvalidArgument', `${where}: the range selects more than ${MAX_RANGE_REPLAY} windows. To fix: replay a narrower range, in several requests.`, { ids: { target: 'untilMs' } });
  }
  return entries.map((e) => e.seq).filter((seq): seq is number => seq !== undefined);
}

async function replay(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = streamIdOf(request);
  const where = `POST /api/streams/${id}/replay`;
  const body = parseWith(replayBodySchema, await jsonBody(request, where), where);
  const client = df.getClient(context);
  const stream = await streamView(client, id);
  if (stream.status === 'suspended') {
    return { status: 409, jsonBody: { error: { code: 'StreamSuspended', target: 'status', message: `Stream "${id}" is suspended (${stream.suspension?.reason ?? 'no reason'}): ` +
      `its worker does not run, so a replay would only wait. To fix: repair the cause, POST /api/streams/${id}/resume, then ask for the replay again.` } } };
  }
  const config = await getEffectiveConfig();
  const pipeline = findPipeline(config, id);
  if (pipeline === undefined) {
    return { status: 409, jsonBody: { error: { code: 'ConfigInvalid', target: 'pipeline', message: `No pipeline serves stream "${id}", so no worker can replay its windows. ` +
      `To fix: add a pipeline whose streams match "${id}", then replay.` } } };
  }
  let windowSeqs: number[];
  try {
    windowSeqs = await windowsToReplay(id, body, where);
  } catch (error) {
    // A window that did not succeed conflicts with the request (409, like the other refused commands), it is no stale precondition.
    if (isSluiceError(error) && error.code === 'PreconditionFailed') return { status: 409, jsonBody: { error: { code: error.code, message: error.message, target: error.ids['target'] ?? null } } };
    throw error;
  }
  if (stream.queuedReplays.length + windowSeqs.length > MAX_QUEUED_REPLAYS) {
    return { status: 409, jsonBody: { error: { code: 'PreconditionFailed', target: 'status', message: `Stream "${id}" has ${stream.queuedReplays.length} replays queued; ` +
      `${windowSeqs.length} more would exceed ${MAX_QUEUED_REPLAYS}. To fix: wait until the queued replays ran (GET /api/streams/${id}, queuedReplays), or replay fewer windows.` } } };
  }
  const input: StreamControlInput = { command: 'replay', windowSeqs, worker: streamWorkerInputFor(config, pipeline, id) };
  const result = (await runControl(client, streamControlOrchestrationName, input, `replay on stream "${id}"`)) as Extract<StreamControlResult, { command: 'replay' }>;
  const replays = result.replays.map((r) => ({ ...r, statusUri: statusUri(id, r.windowSeq, r.replayId) }));
  return {
    status: 202,
    headers: { Location: replays[0]!.statusUri },
    jsonBody: { streamId: id, replays, workerId: result.workerId, workerStarted: result.workerStarted },
  };
}

const replayParamsSchema = z.object({ seq: z.coerce.number().int().positive(), replayId: z.string().min(1).max(100).regex(/^[^/\\?#]+$/) });

/** Queued (in the stream's replay queue) until the worker runs it; then the replay's ledger entry tells the outcome. */
async function getReplay(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = streamIdOf(request);
  const { seq, replayId } = parseWith(replayParamsSchema, { seq: request.params['seq'], replayId: request.params['replayId'] }, `GET /api/streams/${id}/windows/{seq}/replays/{replayId}`);
  const stream = await streamView(df.getClient(context), id);
  const position = stream.queuedReplays.findIndex((r) => r.replayId === replayId && r.windowSeq === seq);
  const entry = await (await getLedger()).getEntry(id, 'window', replayRef(windowKey(id, seq), replayId));
  if (position < 0 && entry === undefined) {
    throw new SluiceError('ReplayNotFound', `Stream "${id}" has no replay "${replayId}" of window ${seq}. To fix: use the statusUri the replay request answered.`, { ids: { target: 'replayId' } });
  }
  // While still queued, a failed attempt's entry is being retried: the replay is running, not failed.
  const status = entry === undefined ? 'queued' : position >= 0 ? 'running' : entry.outcome;
  return { status: 200, jsonBody: { streamId: id, replayId, windowSeq: seq, status, queuePosition: position < 0 ? null : position + 1, entry: entry === undefined ? null : windowView(entry) } };
}

const extraInputs = [durableClientInput];
app.http('streamsWindows', { route: 'streams/{id}/windows', methods: ['GET'], authLevel: 'function', extraInputs, handler: handle(listWindows) });
app.http('streamsReplay', { route: 'streams/{id}/replay', methods: ['POST'], authLevel: 'function', extraInputs, handler: handle(replay) });
app.http('streamsReplayGet', { route: 'streams/{id}/windows/{seq}/replays/{replayId}', methods: ['GET'], authLevel: 'function', extraInputs, handler: handle(getReplay) });
