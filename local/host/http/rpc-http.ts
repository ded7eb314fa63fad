/**
 * HTTP <-> RpcHttpData, the shapes the Functions host exchanges with the Node worker (non-streaming). The
 * library turns RpcHttpData into its HttpRequest and its HttpResponse back into RpcHttpData; this module only
 * moves bytes and headers between those shapes and Node's http objects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

export interface RpcHttpRequestData {
  method: string;
  url: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  params: Record<string, string>;
  body?: { bytes: Uint8Array };
}

export function toRpcHttpRequest(
  request: IncomingMessage,
  absoluteUrl: URL,
  params: Record<string, string>,
  body: Buffer,
): RpcHttpRequestData {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of absoluteUrl.searchParams) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const method = (request.method ?? 'GET').toUpperCase();
  const data: RpcHttpRequestData = { method, url: absoluteUrl.toString(), headers, query, params };
  if (method !== 'GET' && method !== 'HEAD' && body.length > 0) data.body = { bytes: new Uint8Array(body) };
  return data;
}

const nullable = <T extends z.ZodType>(inner: T) => z.object({ value: inner.nullish() }).nullish();

const rpcCookieSchema = z.looseObject({
  name: z.string(),
  value: z.string(),
  domain: nullable(z.string()),
  path: nullable(z.string()),
  expires: z.object({ value: z.object({ seconds: z.union([z.number(), z.string()]) }).nullish() }).nullish(),
  secure: nullable(z.boolean()),
  httpOnly: nullable(z.boolean()),
  sameSite: z.union([z.string(), z.number()]).nullish(),
  maxAge: nullable(z.number()),
});

const rpcHttpResponseSchema = z.looseObject({
  statusCode: z.string().optional(),
  headers: z.record(z.string(), z.string()).nullish(),
  cookies: z.array(rpcCookieSchema).nullish(),
  body: z.looseObject({ bytes: z.custom<Uint8Array>((value) => ArrayBuffer.isView(value)).nullish(), string: z.string().nullish() }).nullish(),
});

function toSetCookie(cookie: z.infer<typeof rpcCookieSchema>): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain?.value) parts.push(`domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`path=${cookie.path.value}`);
  const expires = cookie.expires?.value?.seconds;
  if (expires !== undefined) parts.push(`expires=${new Date(Number(expires) * 1000).toUTCString()}`);
  if (typeof cookie.maxAge?.value === 'number') parts.push(`max-age=${Math.trunc(cookie.maxAge.value)}`);
  if (cookie.secure?.value === true) parts.push('secure');
  const sameSite = String(cookie.sameSite ?? 'none').toLowerCase();
  if (sameSite === 'lax' || sameSite === '1') parts.push('samesite=lax');
  else if (sameSite === 'strict' || sameSite === '2') parts.push('samesite=strict');
  else if (sameSite === 'explicitnone' || sameSite === '3') parts.push('samesite=none');
  if (cookie.httpOnly?.value === true) parts.push('httponly');
  return parts.join('; ');
}

/** Writes the function's `$return` http value; anything else than an http object is a 500, as on Azure. */
export function writeRpcHttpResponse(response: ServerResponse, rpcHttp: unknown): void {
  const parsed = rpcHttpResponseSchema.safeParse(rpcHttp);
  if (!parsed.success) {
    response.writeHead(500).end();
    return;
  }
  const http = parsed.data;
  const status = Number(http.statusCode ?? '200');
  for (const [name, value] of Object.entries(http.headers ?? {})) response.setHeader(name, value);
  const cookies = (http.cookies ?? []).map(toSetCookie);
  if (cookies.length > 0) response.setHeader('set-cookie', cookies);
  const bytes = http.body?.bytes;
  const body = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : Buffer.from(http.body?.string ?? '', 'utf8');
  response.setHeader('content-length', body.length);
  response.writeHead(Number.isInteger(status) && status >= 100 && status <= 999 ? status : 500);
  response.end(body);
}
