/**
 * Cosmos DB stand-in: @vercel/cosmosdb-server over plain HTTP on a free 127.0.0.1 port, in this process.
 * It keeps everything in memory: data does not survive a stop, also under `npm start`.
 *
 * Client note: its account document advertises `https://` endpoints, so an `@azure/cosmos` client must be
 * created with `connectionPolicy: { enableEndpointDiscovery: false }` (otherwise the SDK switches to TLS and
 * fails with `EPROTO wrong version number`). Supported subset: see docs/local-development.md.
 */
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { loopbackHost } from './readiness';

/**
 * The Cosmos DB emulator's well-known account key. Public (documented by Microsoft for the emulator); the
 * stand-in does not check signatures, but the SDK needs a well-formed key to sign requests.
 */
export const cosmosEmulatorKey =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface StartCosmosOptions {
  /** 0 (the default) lets the OS pick a free port. */
  port?: number;
}

export interface CosmosService {
  /** e.g. `http://127.0.0.1:41235/` */
  endpoint: string;
  key: string;
  port: number;
  /** Pass as `connectionPolicy` to `new CosmosClient(...)`; the stand-in needs endpoint discovery off. */
  connectionPolicy: { enableEndpointDiscovery: false };
  stop(): Promise<void>;
}

export async function startCosmos(options: StartCosmosOptions = {}): Promise<CosmosService> {
  // keepAlive: the stand-in otherwise answers `connection: close`, so every SDK request opens a new
  // connection (about 2x slower upserts: bench/cosmos-stand-in-upserts.js).
  const server = createHttpServer({ keepAlive: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`Cosmos DB stand-in could not listen on ${loopbackHost}:` +
      `${options.port ?? 0}: ${err.message} To fix: choose another port or leave it to the OS (0).`, { cause: err })));
    server.listen(options.port ?? 0, loopbackHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${loopbackHost}:${port}/`,
    key: cosmosEmulatorKey,
    port,
    connectionPolicy: { enableEndpointDiscovery: false },
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Clients keep connections alive; close them so the port is released now.
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
