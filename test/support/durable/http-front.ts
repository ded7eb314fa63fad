/**
 * Test-only HTTP front (until local/host/functions lands): serves the app's httpTrigger functions under
 * `/api/<route>` on a free loopback port and hands `/runtime/webhooks/durabletask` and `/durabletask`
 * requests to the Durable host, like the Functions host does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DurableHost, FunctionInvoker, RegisteredFunction } from '../../../local/host/contracts';

export interface HttpFront {
  server: Server;
  baseUrl: string;
  setDurableHost(host: DurableHost): void;
  close(): Promise<void>;
}

export async function startHttpFront(invoker: FunctionInvoker): Promise<HttpFront> {
  let durable: DurableHost | undefined;
  const server = createServer((req, res) => {
    const handle = async (): Promise<void> => {
      if (durable?.handlesRequest(req)) return durable.handleRequest(req, res);
      await serveTrigger(invoker, durable, req, res);
    };
    handle().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    setDurableHost: (host) => (durable = host),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function matchRoute(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const m = /^\{(\w+)(\?)?\}$/.exec(seg);
    if (m !== null) {
      if (p[i] === undefined) {
        if (m[2] === '?') continue;
        return undefined;
      }
      params[m[1]!] = decodeURIComponent(p[i]!);
    } else if (seg.toLowerCase() !== (p[i] ?? '').toLowerCase()) {
      return undefined;
    }
  }
  return p.length <= t.length ? params : undefined;
}

async function serveTrigger(invoker: FunctionInvoker, durable: DurableHost | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const path = url.pathname.replace(/^\/api\//, '');
  let found: { fn: RegisteredFunction; params: Record<string, string> } | undefined;
  for (const fn of invoker.listFunctions().filter((f) => f.triggerType === 'httpTrigger')) {
    const trigger = fn.bindings[fn.triggerBindingName]!;
    const methods = (trigger['methods'] as string[] | undefined) ?? ['GET', 'POST'];
    const params = matchRoute((trigger['route'] as string | undefined) ?? fn.name, path);
    if (params !== undefined && methods.includes(req.method ?? 'GET')) found = { fn, params };
  }
  if (found === undefined) {
    res.writeHead(404);
    res.end();
    return;
  }
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const inputData = [
    {
      name: found.fn.triggerBindingName,
      data: { http: { method: req.method, url: url.toString(), headers, query: Object.fromEntries(url.searchParams), params: found.params, body: { bytes: Buffer.concat(chunks) } } },
    },
  ];
  for (const [name, binding] of Object.entries(found.fn.bindings)) {
    if (binding.type === 'durableClient' && durable !== undefined) inputData.push({ name, data: { string: JSON.stringify(durable.getDurableClientPayload(binding)) } } as never);
  }
  const output = await invoker.invoke(found.fn.name, { inputData });
  const http = output.returnValue?.http as { statusCode?: string; headers?: Record<string, string>; body?: { bytes?: Uint8Array } } | undefined;
  res.writeHead(Number(http?.statusCode ?? 200), http?.headers ?? {});
  res.end(http?.body?.bytes ? Buffer.from(http.body.bytes) : undefined);
}
