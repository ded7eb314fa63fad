import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readHttpPages, type HttpPage, type HttpSourceConfig } from '../../../connectors/http';

type Handler = (url: URL, req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; requests: URL[]; close: () => Promise<void> }> {
  const requests: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    handler(url, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/orders`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function collect(pages: AsyncIterable<HttpPage>): Promise<HttpPage[]> {
  const out: HttpPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const noWait = { sleep: async () => undefined, random: () => 0.5 };

describe('paginated HTTP source', () => {
  it('follows the cursor from the body, sending since/until and fixed query parameters', async () => {
    const server = await serve((url, _req, res) => {
      const cursor = Number(url.searchParams.get('after') ?? 0);
      json(res, 200, { data: { items: [{ id: cursor + 1 }, { id: cursor + 2 }] }, meta: { next: cursor < 4 ? cursor + 2 : null } });
    });
    try {
      const config: HttpSourceConfig = { url: server.url, recordsPath: 'data.items', paging: { kind: 'cursor', nextCursorPath: 'meta.next', cursorParam: 'after' },
        query: { limit: '2' } };
      const pages = await collect(readHttpPages(config, { since: '2026-11-23T10:00:00Z', until: '2026-11-23T11:00:00Z' }));
      expect(pages).toEqual([
        { page: 1, records: [{ id: 1 }, { id: 2 }], nextCursor: '2' },
        { page: 2, records: [{ id: 3 }, { id: 4 }], nextCursor: '4' },
        { page: 3, records: [{ id: 5 }, { id: 6 }] },
      ]);
      expect(server.requests.map((u) => u.search)).toEqual([
        '?limit=2&since=2026-11-23T10%3A00%3A00Z&until=2026-11-23T11%3A00%3A00Z',
        '?limit=2&since=2026-11-23T10%3A00%3A00Z&until=2026-11-23T11%3A00%3A00Z&after=2',
        '?limit=2&since=2026-11-23T10%3A00%3A00Z&until=2026-11-23T11%3A00%3A00Z&after=4',
      ]);
    } finally {
      await server.close();
    }
  });

  it('pages by number until a short page, and reads one page when paging is none', async () => {
    const server = await serve((url, _req, res) => {
      const page = Number(url.searchParams.get('p') ?? 1);
      json(res, 200, { items: page < 3 ? [{ id: page * 10 }, { id: page * 10 + 1 }] : [{ id: 30 }], next: 'ignored' });
    });
    try {
      const paged = await collect(readHttpPages({ url: server.url, recordsPath: 'items', paging: { kind: 'page', pageParam: 'p', sizeParam: 'n', pageSize: 2 } },
        { since: '1000', until: '2000' }));
      expect(paged).toEqual([
        { page: 1, records: [{ id: 10 }, { id: 11 }] },
        { page: 2, records: [{ id: 20 }, { id: 21 }] },
        { page: 3, records: [{ id: 30 }] },
      ]);
      expect(server.requests.map((u) => u.search)).toEqual(['?since=1000&until=2000&p=1&n=2', '?since=1000&until=2000&p=2&n=2', '?since=1000&until=2000&p=3&n=2']);
      const single = await collect(readHttpPages({ url: server.url, recordsPath: 'items', paging: { kind: 'none' } }));
      expect(single).toEqual([{ page: 1, records: [{ id: 10 }, { id: 11 }] }]);
      expect(server.requests).toHaveLength(4);
    } finally {
      await server.close();
    }
  });

  it('retries 429 and 503 with backoff, waiting at least what Retry-After asks', async () => {
    let calls = 0;
    const server = await serve((_url, _req, res) => {
      calls++;
      if (calls === 1) return json(res, 429, { error: 'slow down' }, { 'retry-after': '7' });
      if (calls === 2) return json(res, 503, { error: 'busy' });
      if (calls === 3) {
        res.destroy();
        return;
      }
      json(res, 200, { items: [{ id: 1 }], next: '' });
    });
    const waits: number[] = [];
    try {
      const pages = await collect(readHttpPages({ url: server.url, recordsPath: 'items', paging: { kind: 'cursor' as const, nextCursorPath: 'next' } },
        { retry: { ...noWait, retryDelayInMs: 100, sleep: async (ms) => { waits.push(ms); } } }));
      expect(pages).toEqual([{ page: 1, records: [{ id: 1 }] }]);
      expect(waits).toEqual([7000, 100, 200]);
    } finally {
      await server.close();
    }
  });

  it('gives up after maxRetries with a retryable SourceFailed, and fails at once on a 401', async () => {
    const server = await serve((url, _req, res) => (url.searchParams.get('cursor') === 'auth'
      ? json(res, 401, { error: 'no token' })
      : json(res, 500, { error: 'boom' })));
    try {
      const config = { url: server.url, recordsPath: 'items', paging: { kind: 'cursor' as const, nextCursorPath: 'next' } };
      await expect(collect(readHttpPages(config, { retry: { ...noWait, maxRetries: 2 } }))).rejects.toMatchObject({
        code: 'SourceFailed', retryable: true, message: expect.stringContaining('failed 3 times, last: HTTP 500') });
      const before = server.requests.length;
      await expect(collect(readHttpPages(config, { cursor: 'auth', retry: noWait }))).rejects.toMatchObject({
        code: 'SourceFailed', retryable: false, message: expect.stringContaining('answered 401') });
      expect(server.requests.length - before).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('rejects a body without the configured records array, and an invalid config', async () => {
    const server = await serve((_url, _req, res) => json(res, 200, { rows: [] }));
    try {
      await expect(collect(readHttpPages({ url: server.url, recordsPath: 'items', paging: { kind: 'cursor' as const, nextCursorPath: 'next' } })))
        .rejects.toMatchObject({ code: 'SourceFailed', message: expect.stringContaining('no array at "items"') });
      await expect(collect(readHttpPages({ url: 'ftp://x', recordsPath: 'items', paging: { kind: 'none' as const } })))
        .rejects.toMatchObject({ code: 'ConfigInvalid' });
    } finally {
      await server.close();
    }
  });
});
