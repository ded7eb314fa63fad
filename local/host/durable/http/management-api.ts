import type { IncomingMessage, ServerResponse } from 'node:http';
import { DurableHostError, isDurableHostError } from '../errors';
import type { ClientOperations } from '../engine/client-operations';
import { isTerminal, type RuntimeStatus } from '../types';
import { statusPayload } from './status-payload';
import { managementUrls } from './urls';

export const WEBHOOK_PREFIX = '/runtime/webhooks/durabletask/';
export const RPC_PREFIX = '/durabletask/';
const STATUSES: readonly RuntimeStatus[] = ['Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Canceled', 'Terminated', 'Pending', 'Suspended'];
const DEFAULT_PAGE_SIZE = 100;

export interface ManagementApiOptions {
  operations: ClientOperations;
  hubName: string;
  /** Origin the webhook URLs in responses use, e.g. `http://127.0.0.1:7071`. */
  baseUrl: string;
  overridable: 'NonRunningStates' | 'AnyState';
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The Durable HTTP management API (§4.3), under both the webhook prefix and the rpc prefix DurableClient
 * uses when `rpcBaseUrl` is set. Errors map to the extension's status codes: 400 bad input, 404 unknown
 * instance or entity, 409 duplicate start, 410 not running.
 */
export class ManagementApi {
  constructor(private readonly options: ManagementApiOptions) {}

  handles(url: string): boolean {
    const path = url.split('?')[0] ?? '';
    return path.startsWith(WEBHOOK_PREFIX) || path.startsWith(RPC_PREFIX);
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      const body = await readBody(request);
      reply = await this.route(request, body);
    } catch (error) {
      reply = toErrorReply(error);
    }
    const headers: Record<string, string> = { ...reply.headers };
    let payload = '';
    if (reply.body !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      payload = JSON.stringify(reply.body);
    }
    response.writeHead(reply.status, headers);
    response.end(payload);
  }

  private async route(request: IncomingMessage, body: string): Promise<Reply> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const prefix = url.pathname.startsWith(WEBHOOK_PREFIX) ? WEBHOOK_PREFIX : RPC_PREFIX;
    const parts = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
    const method = request.method ?? 'GET';
    const q = url.searchParams;
    const ops = this.options.operations;
    const [resource, a, b, c] = parts;
    if (resource === 'orchestrators' && method === 'POST' && a) {
      const record = ops.startNew(a, {
        ...(b ? { instanceId: b } : {}),
        ...(body.length > 0 ? { input: normalizeJson(body) } : {}),
        ...(q.get('version') ? { version: q.get('version') ?? '' } : {}),
        overridable: this.options.overridable,
      });
      const timeoutS = positiveNumber(q.get('timeout'));
      if (timeoutS !== undefined) {
        const done = await this.waitForTerminal(record.instanceId, timeoutS * 1000, (positiveNumber(q.get('pollingInterval')) ?? 1) * 1000);
        if (done !== undefined) return done;
      }
      const urls = managementUrls(this.options.baseUrl, this.options.hubName, record.instanceId);
      return { status: 202, body: urls, headers: { location: urls.statusQueryGetUri, 'retry-after': '10' } };
    }
    if (resource === 'instances' && (a === undefined || a === '')) {
      if (method === 'GET') return this.list(request, q);
      if (method === 'DELETE') return this.purgeBy(q);
    }
    if (resource === 'instances' && a) {
      if (method === 'GET' && b === undefined) return this.status(a, url, q);
      if (method === 'DELETE' && b === undefined) {
        const deleted = ops.purge([a]);
        return deleted === 0 ? notFound(a) : { status: 200, body: { instancesDeleted: deleted } };
      }
      const reason = q.get('reason') ?? '';
      if (method === 'POST' && b === 'raiseEvent' && c) {
        const type = request.headers['content-type'] ?? '';
        if (body.length > 0 && !type.includes('application/json')) throw new DurableHostError('InvalidArgument', "Raise event requires 'Content-Type: application/json'.");
        ops.raiseEvent(a, c, body.length > 0 ? normalizeJson(body) : null);
        return { status: 202 };
      }
      if (method === 'POST' && b === 'terminate') return (ops.terminate(a, reason), { status: 202 });
      if (method === 'POST' && b === 'suspend') return (ops.suspend(a, reason), { status: 202 });
      if (method === 'POST' && b === 'resume') return (ops.resume(a, reason), { status: 202 });
      if (method === 'POST' && b === 'rewind') return (ops.rewind(a, reason), { status: 202 });
      if (method === 'POST' && b === 'restart') return this.restart(a, q);
    }
    if (resource === 'entities') return this.entities(method, a, b, q, body, request);
    return { status: 404, body: { message: `No Durable management route for ${method} ${url.pathname}.` } };
  }

  /**
   * Start-and-wait (`?timeout=&pollingInterval=`, seconds): checks the instance every polling interval, as the
   * extension does; Completed -> 200 with the output, Failed -> 500 and Terminated -> 200 with the status.
   */
  private async waitForTerminal(instanceId: string, timeoutMs: number, intervalMs: number): Promise<Reply | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = this.options.operations.getInstance(instanceId);
      if (record !== undefined && isTerminal(record.status)) {
        if (record.status === 'Completed') return { status: 200, body: record.output === null ? null : (JSON.parse(record.output) as unknown) };
        const body = statusPayload(record, undefined, { showInput: true, showHistory: false, showHistoryOutput: false });
        return { status: record.status === 'Failed' ? 500 : 200, body };
      }
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
    }
  }

  private status(instanceId: string, url: URL, q: URLSearchParams): Reply {
    const ops = this.options.operations;
    const record = ops.getInstance(instanceId);
    if (record === undefined) return notFound(instanceId);
    const showHistory = q.get('showHistory') === 'true';
    const body = statusPayload(record, showHistory ? ops.getHistory(instanceId) : undefined, {
      showInput: q.get('showInput') !== 'false',
      showHistory,
      showHistoryOutput: q.get('showHistoryOutput') === 'true',
    });
    const running = ['Running', 'Pending', 'ContinuedAsNew', 'Suspended'].includes(record.status);
    const location = `${this.options.baseUrl}${url.pathname}${url.search}`;
    return running ? { status: 202, body, headers: { location, 'retry-after': '5' } } : { status: 200, body };
  }

  private list(request: IncomingMessage, q: URLSearchParams): Reply {
    const limit = positiveInt(q.get('top')) ?? DEFAULT_PAGE_SIZE;
    const token = headerValue(request, 'x-ms-continuation-token');
    const records = this.options.operations.queryInstances({
      ...instanceFilter(q),
      ...(token ? { afterInstanceId: Buffer.from(token, 'base64url').toString() } : {}),
      limit: limit + 1,
    });
    const page = records.slice(0, limit);
    const more = records.length > limit;
    const next = more ? Buffer.from(page[page.length - 1]!.instanceId).toString('base64url') : '';
    const showInput = q.get('showInput') !== 'false';
    return {
      status: 200,
      body: page.map((r) => statusPayload(r, undefined, { showInput, showHistory: false, showHistoryOutput: false })),
      headers: { 'x-ms-continuation-token': next },
    };
  }

  private purgeBy(q: URLSearchParams): Reply {
    if (!q.get('createdTimeFrom')) throw new DurableHostError('InvalidArgument', "Purging by filter requires 'createdTimeFrom'.");
    const ids = this.options.operations.queryInstances(instanceFilter(q)).map((r) => r.instanceId);
    const deleted = this.options.operations.purge(ids);
    return deleted === 0 ? { status: 404, body: { instancesDeleted: 0 } } : { status: 200, body: { instancesDeleted: deleted } };
  }

  private restart(instanceId: string, q: URLSearchParams): Reply {
    const ops = this.options.operations;
    const record = ops.getInstance(instanceId);
    if (record === undefined) return notFound(instanceId);
    const fresh = q.get('restartWithNewInstanceId') !== 'false';
    const started = ops.startNew(record.name, {
      ...(fresh ? {} : { instanceId }),
      ...(record.input !== null ? { input: record.input } : {}),
      overridable: 'AnyState',
    });
    const urls = managementUrls(this.options.baseUrl, this.options.hubName, started.instanceId);
    return { status: 202, body: urls, headers: { location: urls.statusQueryGetUri, 'retry-after': '10' } };
  }

  private entities(method: string, name: string | undefined, key: string | undefined, q: URLSearchParams, body: string, request: IncomingMessage): Reply {
    const ops = this.options.operations;
    if (method === 'GET' && name && key !== undefined && key !== '') {
      const entity = ops.getEntity(name, key === '$' ? '' : key);
      if (entity === undefined || !entity.exists) return { status: 404, body: { message: `Entity '@${name.toLowerCase()}@${key}' does not exist.` } };
      return { status: 200, body: entity.state === null ? null : (JSON.parse(entity.state) as unknown) };
    }
    if (method === 'GET') return this.listEntities(name, q, request);
    if ((method === 'POST' || method === 'DELETE') && name && key) {
      const op = method === 'DELETE' ? 'delete' : q.get('op') ?? '';
      const type = request.headers['content-type'] ?? '';
      const input = body.length === 0 ? undefined : type.includes('application/json') ? normalizeJson(body) : JSON.stringify(body);
      ops.signalEntity(name, key === '$' ? '' : key, op, input);
      return { status: 202 };
    }
    return { status: 404, body: { message: `No entity route for ${method}.` } };
  }

  private listEntities(name: string | undefined, q: URLSearchParams, request: IncomingMessage): Reply {
    const limit = positiveInt(q.get('top')) ?? DEFAULT_PAGE_SIZE;
    const token = headerValue(request, 'x-ms-continuation-token');
    const from = q.get('lastOperationTimeFrom');
    const to = q.get('lastOperationTimeTo');
    const records = this.options.operations
      .queryEntities({
        ...(name ? { name: name.toLowerCase() } : {}),
        ...(from ? { lastOperationFromMs: Date.parse(from) } : {}),
        ...(to ? { lastOperationToMs: Date.parse(to) } : {}),
        ...(token ? { afterEntityId: Buffer.from(token, 'base64url').toString() } : {}),
        limit: limit + 1,
      })
      .filter((e) => e.exists);
    const page = records.slice(0, limit);
    const next = records.length > limit ? Buffer.from(page[page.length - 1]!.entityId).toString('base64url') : '';
    const fetchState = q.get('fetchState') === 'true';
    return {
      status: 200,
      body: page.map((e) => ({
        entityId: { name: e.name, key: e.key },
        lastOperationTime: new Date(e.lastOperationMs).toISOString(),
        ...(fetchState ? { state: e.state === null ? null : (JSON.parse(e.state) as unknown) } : {}),
      })),
      headers: { 'x-ms-continuation-token': next },
    };
  }
}

function instanceFilter(q: URLSearchParams): { instanceIdPrefix?: string; createdFromMs?: number; createdToMs?: number; statuses?: RuntimeStatus[] } {
  const statuses = (q.get('runtimeStatus') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is RuntimeStatus => (STATUSES as readonly string[]).includes(s));
  const from = q.get('createdTimeFrom');
  const to = q.get('createdTimeTo');
  const prefix = q.get('instanceIdPrefix');
  return {
    ...(prefix ? { instanceIdPrefix: prefix } : {}),
    ...(from ? { createdFromMs: Date.parse(from) } : {}),
    ...(to ? { createdToMs: Date.parse(to) } : {}),
    ...(statuses.length > 0 ? { statuses } : {}),
  };
}

function normalizeJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw new DurableHostError('InvalidArgument', 'Invalid JSON content in the request body. To fix: send a JSON value.');
  }
}

function notFound(instanceId: string): Reply {
  return { status: 404, body: { message: `No instance with ID '${instanceId}' found.` } };
}

function toErrorReply(error: unknown): Reply {
  if (!isDurableHostError(error)) return { status: 500, body: { message: error instanceof Error ? error.message : String(error) } };
  const status = { InstanceNotFound: 404, InstanceAlreadyExists: 409, InstanceNotRunning: 410, FunctionNotFound: 400, InvalidArgument: 400, NotSupported: 501, NonDeterministicOrchestration: 500 }[error.code];
  return { status, body: { message: error.message } };
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Seconds as the extension takes them; fractions are accepted too (tests poll faster than 1 s). */
function positiveNumber(text: string | null): number | undefined {
  const n = text === null ? NaN : Number(text);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function positiveInt(text: string | null): number | undefined {
  const n = text === null ? NaN : Number(text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
