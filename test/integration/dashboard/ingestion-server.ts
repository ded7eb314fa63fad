/**
 * A loopback stand-in for the Application Insights ingestion endpoint (`POST /v2.1/track`, gzip'd JSON envelopes).
 * The SDK only speaks HTTPS, so the server has a throwaway self-signed certificate which `trust()` adds to this
 * process's default CA list (and `untrust()` removes): the SDK verifies the certificate as it would on Azure.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { generate } from 'selfsigned';

export interface Envelope {
  name: string;
  time: string;
  tags?: Record<string, string>;
  data: { baseType: string; baseData: { name?: string; properties?: Record<string, string>; metrics?: Array<{ name: string; value: number; max?: number }> } };
}

export interface IngestionServer {
  connectionString: string;
  envelopes: Envelope[];
  /** Resolves once an envelope matches `predicate`; rejects after `timeoutInMs`. */
  waitFor(what: string, predicate: (envelope: Envelope) => boolean, timeoutInMs: number): Promise<Envelope>;
  untrust(): void;
  stop(): Promise<void>;
}

function parseEnvelopes(body: string): Envelope[] {
  const trimmed = body.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Envelope[];
  return trimmed.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Envelope);
}

export async function startIngestionServer(): Promise<IngestionServer> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    extensions: [{ name: 'basicConstraints', cA: true }, { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const defaults = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...defaults, pems.cert]);
  const envelopes: Envelope[] = [];
  const listeners = new Set<() => void>();
  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const received = parseEnvelopes(body.toString('utf8'));
      envelopes.push(...received);
      for (const listener of listeners) listener();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ itemsReceived: received.length, itemsAccepted: received.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connectionString: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:${port}/`,
    envelopes,
    waitFor(what, predicate, timeoutInMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = envelopes.find(predicate);
          if (found === undefined) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${what}: no such envelope within ${timeoutInMs} ms; received: ${envelopes.map((e) => e.data.baseData.name ?? e.data.baseData.metrics?.[0]?.name).join(', ')}`));
        }, timeoutInMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    untrust: () => tls.setDefaultCACertificates(defaults),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
