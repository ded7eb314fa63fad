import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeRpcHttpResponse } from '../../../local/host/http/rpc-http';

/** Writes `rpcHttp` through a real loopback response and returns what a client receives. */
async function roundTrip(rpcHttp: unknown): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const server = createServer((_req, res) => writeRpcHttpResponse(res, rpcHttp));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
        .on('error', reject)
        .end();
    });
  } finally {
    server.close();
  }
}

describe('RpcHttpData response writing', () => {
  it('writes status, headers, body bytes and every cookie attribute', async () => {
    const response = await roundTrip({
      statusCode: '201',
      headers: { 'content-type': 'text/plain', 'x-a': '1' },
      cookies: [
        {
          name: 'session',
          value: 'abc',
          domain: { value: 'example.test' },
          path: { value: '/app' },
          expires: { value: { seconds: 1_767_225_600 } },
          secure: { value: true },
          httpOnly: { value: true },
          sameSite: 'strict',
          maxAge: { value: 60 },
        },
        { name: 'plain', value: 'x', sameSite: 'explicitNone' },
      ],
      body: { bytes: new TextEncoder().encode('created') },
    });
    expect(response.status).toBe(201);
    expect(response.headers['x-a']).toBe('1');
    expect(response.body).toBe('created');
    expect(response.headers['set-cookie']).toEqual([
      'session=abc; domain=example.test; path=/app; expires=Thu, 01 Jan 2026 00:00:00 GMT; max-age=60; secure; samesite=strict; httponly',
      'plain=x; samesite=none',
    ]);
  });

  it('answers 500 when the function returned something that is not an HTTP response', async () => {
    expect((await roundTrip({ statusCode: 200 })).status).toBe(500);
  });
});
