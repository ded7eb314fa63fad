/** Azurite (Blob only) as a guarded child process on a free 127.0.0.1 port, in memory or persisted to a folder. */
import { mkdir } from 'node:fs/promises';
import { startGuardedProcess } from './guarded-process';
import { loopbackHost, waitUntilReady } from './readiness';

/**
 * The storage emulator's well-known development account. Public and identical in every Azurite install
 * (documented by Microsoft); it is not a secret and only opens the local emulator.
 */
export const azuriteDevAccount = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

export interface StartAzuriteOptions {
  /** Folder for blobs and metadata; undefined keeps everything in memory (tests). */
  dataDir?: string;
  /** Blob port; 0 (the default) lets the OS pick a free one. */
  port?: number;
  /** @default 30000 */
  startTimeoutInMs?: number;
  onOutput?: (text: string) => void;
}

export interface AzuriteService {
  /** e.g. `http://127.0.0.1:41234/devstoreaccount1` */
  blobEndpoint: string;
  port: number;
  /** Full connection string (account, key, blob endpoint) for `BlobServiceClient.fromConnectionString`. */
  connectionString: string;
  stop(): Promise<void>;
}

const listeningPattern = /Azurite Blob service successfully listens on http:\/\/[^:\s]+:(\d+)/;

export async function startAzurite(options: StartAzuriteOptions = {}): Promise<AzuriteService> {
  const persistence = options.dataDir === undefined ? ['--inMemoryPersistence'] : ['--location', options.dataDir];
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  let announcedPort: number | undefined;
  const child = startGuardedProcess({
    name: 'azurite',
    command: process.execPath,
    args: [
      require.resolve('azurite/dist/src/blob/main.js'),
      '--blobHost', loopbackHost,
      '--blobPort', String(options.port ?? 0),
      ...persistence,
      // Telemetry off also makes shutdown take milliseconds instead of ~10 s.
      '--disableTelemetry',
      // Newer SDKs send API versions this Azurite does not know yet; the operations we use are unchanged.
      '--skipApiVersionCheck',
    ],
    stopSignal: 'SIGTERM',
    onOutput: (text) => {
      const match = listeningPattern.exec(text);
      if (match?.[1] !== undefined) announcedPort = Number(match[1]);
      options.onOutput?.(text);
    },
  });
  const failFast = (): string | undefined =>
    child.hasExited() ? `the process exited. Output:\n${child.recentOutput()}` : undefined;
  const what = 'Azurite (blob)';
  const timeoutInMs = options.startTimeoutInMs ?? 30000;
  try {
    const port = await waitUntilReady(async () => {
      if (announcedPort === undefined) throw new Error('not listening yet');
      return announcedPort;
    }, { what, timeoutInMs, failFast });
    const blobEndpoint = `http://${loopbackHost}:${port}/${azuriteDevAccount.name}`;
    // Any HTTP answer (403 for an unsigned request) proves the request pipeline is up.
    await waitUntilReady(() => fetch(`${blobEndpoint}?comp=list`).then((r) => r.arrayBuffer()), {
      what, timeoutInMs, failFast,
    });
    return {
      blobEndpoint,
      port,
      connectionString:
        `DefaultEndpointsProtocol=http;AccountName=${azuriteDevAccount.name};AccountKey=${azuriteDevAccount.key};` +
        `BlobEndpoint=${blobEndpoint};`,
      stop: async () => {
        await child.stop();
      },
    };
  } catch (err) {
    await child.stop();
    throw new Error(
      `${(err as Error).message} To fix: check that node_modules/azurite is installed (npm ci) and, for a ` +
        `persisted start, that the data folder ${options.dataDir ?? '(in memory)'} is writable.`,
      { cause: err },
    );
  }
}
