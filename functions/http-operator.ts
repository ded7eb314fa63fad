/**
 * Plumbing shared by the operators' API (functions/http-streams.ts, http-semaphores.ts): error answers in the
 * config API's shape `{ error: { code, message, target } }`, zod validation naming the field, and running a control
 * orchestration with a bounded wait.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { z } from 'zod';
import { isSluiceError, SluiceError, type SluiceErrorCode } from '../core/errors';

const statusOf: Partial<Record<SluiceErrorCode, number>> = {
  ConfigInvalid: 400,
  InvalidArgument: 400,
  StreamNotFound: 404,
  SemaphoreNotFound: 404,
  ConfigNotFound: 404,
  WindowNotFound: 404,
  ReplayNotFound: 404,
  PreconditionFailed: 412,
};

function errorResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  if (isSluiceError(error) && statusOf[error.code] !== undefined) {
    return { status: statusOf[error.code], jsonBody: { error: { code: error.code, message: error.message, target: error.ids['target'] ?? null } } };
  }
  if (isSluiceError(error) && error.retryable) {
    context.warn(error.message);
    return { status: 503, jsonBody: { error: { code: error.code, message: error.message, target: null } } };
  }
  // Unexpected: logged with its message, answered without internals.
  context.error(`operators' API failed: ${(error as Error).message}`);
  const code = isSluiceError(error) ? error.code : 'InternalError';
  return { status: 500, jsonBody: { error: { code, message: 'The request failed inside the app. To fix: retry; if it persists, check the app logs.', target: null } } };
}

export function handle(fn: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    try {
      return await fn(request, context);
    } catch (error) {
      return errorResponse(error, context);
    }
  };
}

/** Validates `value` with `schema`; a failure is a 400 whose `target` is the offending field (`(root)` for the whole). */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const target = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.join('.');
  throw new SluiceError('InvalidArgument', `${where}: "${target}" is invalid: ${issue?.message ?? 'invalid'}. To fix: see docs/api.md for this route.`, { ids: { target } });
}

/** The JSON body of `request` (an empty body is `{}`); invalid JSON is a 400 on `(root)`. */
export async function jsonBody(request: HttpRequest, where: string): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SluiceError('InvalidArgument', `${where}: the body is not valid JSON (${(error as Error).message}). To fix: send one JSON object.`, { ids: { target: '(root)' } });
  }
}

export interface WaitOptions {
  /** @default 20000 */
  timeoutInMs?: number;
  /** @default 100 */
  pollIntervalInMs?: number;
}

/** Starts `orchestration` with `input` and returns its output once completed; a timeout is retryable (503). */
export async function runControl(client: df.DurableClient, orchestration: string, input: unknown, what: string, options: WaitOptions = {}): Promise<unknown> {
  const instanceId = await client.startNew(orchestration, { input });
  const deadline = Date.now() + (options.timeoutInMs ?? 20_000);
  for (;;) {
    const status = await client.getStatus(instanceId);
    if (status.runtimeStatus === df.OrchestrationRuntimeStatus.Completed) return status.output;
    if (status.runtimeStatus === df.OrchestrationRuntimeStatus.Failed || status.runtimeStatus === df.OrchestrationRuntimeStatus.Terminated) {
      throw new SluiceError('SinkFailed', `${what} failed (${orchestration} instance ${instanceId}): ${JSON.stringify(status.output)}. To fix: check the app logs for that instance, then retry.`, { ids: { instanceId } });
    }
    if (Date.now() > deadline) {
      throw new SluiceError('SinkFailed', `${what}: not done in time (${orchestration} instance ${instanceId} is ${status.runtimeStatus}). ` +
        'To fix: it still applies when the instance completes; check it with the Durable status API, then GET the resource again.', { retryable: true, ids: { instanceId } });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalInMs ?? 100));
  }
}
