import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postWebhook } from '../../../connectors/http/webhook';

/** A loopback receiver answering each request with the next planned behaviour (a status, or 'hang'). */
async function receiver(plan: Array<number | 'hang'>): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((request, response) => {
    const step = plan[Math.min(calls++, plan.length - 1)]!;
    request.resume();
    if (step === 'hang') return;
    response.statusCode = step;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=secret-token`,
    calls: () => calls,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('webhook delivery', () => {
  it('retries a timeout and a 429 with backoff, then succeeds', async () => {
    const hook = await receiver(['hang', 429, 200]);
    try {
      await expect(postWebhook({ url: hook.url, body: { a: 1 }, timeoutInMs: 200, retryDelayInMs: 10, maxRetries: 3 })).resolves.toEqual({ status: 200, attempts: 3 });
    } finally {
      await hook.close();
    }
  });

  it('fails at once on a 4xx other than 408/429, naming the origin but not the query string', async () => {
    const hook = await receiver([400]);
    try {
      const error = await postWebhook({ url: hook.url, body: {}, retryDelayInMs: 10 }).then(() => undefined, (e: unknown) => e as Error & { code: string; retryable: boolean });
      expect(hook.calls()).toBe(1);
      expect(error).toMatchObject({ code: 'SinkFailed', retryable: false });
      expect(error?.message).toContain('did not accept the POST after 1 attempt(s): HTTP 400');
      expect(error?.message).not.toContain('secret-token');
    } finally {
      await hook.close();
    }
  });

  it('gives up after maxRetries on 5xx with a retryable error', async () => {
    const hook = await receiver([502]);
    try {
      await expect(postWebhook({ url: hook.url, body: {}, retryDelayInMs: 5, maxRetries: 2 })).rejects.toMatchObject({ code: 'SinkFailed', retryable: true });
      expect(hook.calls()).toBe(3);
    } finally {
      await hook.close();
    }
  });
});
