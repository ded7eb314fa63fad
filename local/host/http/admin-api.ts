/**
 * The host's admin endpoints, master key only, as on Azure: `GET /admin/host/status`, and
 * `POST /admin/functions/{name}` with `{"input": "..."}` to run a non-HTTP function now (202, the function runs
 * in the background; a timer function gets a timer payload, others the input as their trigger value).
 * Other `/admin/...` paths answer 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { DurableHost, RpcTypedData } from '../contracts';
import { clientInputData } from '../worker/client-inputs';
import type { AppInvoker } from '../worker/invoker';
import type { HostLogger } from '../log';
import { isAuthorized, type HostKeys } from './host-keys';

export interface AdminApiOptions {
  invoker: AppInvoker;
  keys: HostKeys;
  logger: HostLogger;
  durable: () => DurableHost | undefined;
  status: () => unknown;
}

const invokeBodySchema = z.object({ input: z.string().optional() });

export function isAdminPath(pathname: string): boolean {
  return pathname.toLowerCase().startsWith('/admin/');
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
}

export async function handleAdminRequest(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  presentedKey: string | undefined,
  readBody: () => Promise<Buffer | undefined>,
  options: AdminApiOptions,
): Promise<void> {
  if (!isAuthorized('admin', presentedKey, options.keys)) {
    response.writeHead(401).end();
    return;
  }
  const method = (request.method ?? 'GET').toUpperCase();
  const path = url.pathname.replace(/\/+$/, '');
  if (path.toLowerCase() === '/admin/host/status') {
    if (method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    sendJson(response, 200, options.status());
    return;
  }
  const invokeMatch = /^\/admin\/functions\/([^/]+)$/i.exec(path);
  if (invokeMatch === null || method !== 'POST') {
    response.writeHead(404).end();
    return;
  }
  const name = decodeURIComponent(invokeMatch[1] ?? '');
  const fn = options.invoker.getFunction(name);
  if (fn === undefined) {
    response.writeHead(404).end();
    return;
  }
  if (fn.triggerType.toLowerCase() === 'httptrigger') {
    sendJson(response, 400, { error: `'${name}' is an HTTP function. To fix: call its route instead.` });
    return;
  }
  const raw = (await readBody())?.toString('utf8') ?? '';
  let parsed: z.infer<typeof invokeBodySchema> | undefined;
  try {
    const result = invokeBodySchema.safeParse(raw.trim() === '' ? {} : JSON.parse(raw));
    if (result.success) parsed = result.data;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined) {
    sendJson(response, 400, { error: 'The body must be JSON like {"input": "<text>"}. To fix: send a string input or an empty body.' });
    return;
  }
  const trigger: RpcTypedData =
    fn.triggerType.toLowerCase() === 'timertrigger'
      ? { json: JSON.stringify({ Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false }) }
      : { string: parsed.input ?? '' };
  const inputData = [{ name: fn.triggerBindingName, data: trigger }, ...clientInputData(fn, options.durable())];
  options.invoker.invoke(name, { inputData }).catch(() => {
    // The invoker has logged the failure with its invocation id; the caller already has its 202.
  });
  response.writeHead(202).end();
}
