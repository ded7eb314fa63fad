/**
 * The HTTP front of the local host on 127.0.0.1: the admin endpoints (`admin-api.ts`), the Durable management API (mounted from
 * the DurableHost), then the HTTP-triggered functions; anything else is a 404 with an empty body, as on Azure.
 * Requests become RpcHttpData; the library does the HttpRequest/HttpResponse conversion.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DurableHost } from '../contracts';
import { isLocalHostError } from '../errors';
import { clientInputData } from '../worker/client-inputs';
import type { AppInvoker } from '../worker/invoker';
import type { HostLogger } from '../log';
import { handleAdminRequest, isAdminPath } from './admin-api';
import { isAuthorized, type HostKeys } from './host-keys';
import { matchRoute, type HttpRoute } from './route-table';
import { toRpcHttpRequest, writeRpcHttpResponse } from './rpc-http';

/** Azure's request body limit (100 MB). */
export const maxRequestBodyBytes = 100 * 1024 * 1024;

export interface HttpFrontOptions {
  routes: HttpRoute[];
  invoker: AppInvoker;
  keys: HostKeys;
  logger: HostLogger;
  /** The Durable half, once started (undefined when the host runs without one). */
  durable: () => DurableHost | undefined;
  status: () => unknown;
}

export interface HttpFront {
  server: Server;
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

function presentedKey(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers['x-functions-key'];
  if (typeof header === 'string' && header !== '') return header;
  return url.searchParams.get('code') ?? undefined;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxRequestBodyBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createHttpFront(options: HttpFrontOptions): HttpFront {
  const { routes, invoker, keys, logger } = options;
  /** Requests whose function ran: the invoker has already logged their failure. */
  const invoked = new WeakSet<IncomingMessage>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    const method = (request.method ?? 'GET').toUpperCase();
    if (isAdminPath(url.pathname)) {
      await handleAdminRequest(request, response, url, presentedKey(request, url), () => readBody(request), {
        invoker,
        keys,
        logger,
        durable: options.durable,
        status: options.status,
      });
      return;
    }
    const durable = options.durable();
    if (durable?.handlesRequest(request) === true) {
      await durable.handleRequest(request, response);
      return;
    }
    const match = matchRoute(routes, method, url.pathname);
    if (match === undefined) {
      response.writeHead(404).end();
      return;
    }
    const { route, params } = match;
    if (!isAuthorized(route.authLevel, presentedKey(request, url), keys)) {
      response.writeHead(401).end();
      return;
    }
    const body = await readBody(request);
    if (body === undefined) {
      response.writeHead(413).end();
      return;
    }
    const inputData = [
      { name: route.fn.triggerBindingName, data: { http: toRpcHttpRequest(request, url, params, body) } },
      ...clientInputData(route.fn, durable),
    ];
    invoked.add(request);
    const output = await invoker.invoke(route.fn.name, { inputData });
    const httpOutput =
      output.returnValue?.http ??
      output.outputData.find((entry) => route.fn.bindings[entry.name]?.type.toLowerCase() === 'http')?.data.http;
    if (httpOutput === undefined || httpOutput === null) {
      response.writeHead(204).end();
      return;
    }
    writeRpcHttpResponse(response, httpOutput);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!invoked.has(request)) {
        logger.log('error', 'HTTP request failed in the host', {
          method: request.method,
          url: request.url,
          error: (error as Error)?.message ?? String(error),
          ...(isLocalHostError(error) ? { code: error.code } : {}),
        });
      }
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  server.keepAliveTimeout = 5_000;

  return {
    server,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
