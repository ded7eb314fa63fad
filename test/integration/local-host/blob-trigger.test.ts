import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startHost, type RunningHost } from '../../../local/host/host';
import { startAzurite, type AzuriteService } from '../../../local/services/azurite';
import { InvocationRecorder, returnJson } from './helpers/invocations';

const blobApp = path.resolve(__dirname, '../../apps/blob');

describe('blob trigger against real Azurite', () => {
  let azurite: AzuriteService;
  let incoming: ContainerClient;
  let poison: ContainerClient;
  let dataDir: string;

  beforeAll(async () => {
    azurite = await startAzurite();
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    incoming = service.getContainerClient('incoming');
    poison = service.getContainerClient('poison');
    await incoming.create();
    await poison.create();
    dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-host-blob-'));
  });
  afterAll(async () => {
    await azurite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = (container: ContainerClient, name: string, text: string) => container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
  const start = (recorder: InvocationRecorder): Promise<RunningHost> =>
    startHost({
      appDir: blobApp,
      port: 0,
      dataDir,
      env: { BlobConnection: azurite.connectionString },
      blobPollIntervalInMs: 25,
      logSink: () => undefined,
      onInvocationCompleted: recorder.listener,
    });
  const firedFor = (recorder: InvocationRecorder, name: string) =>
    recorder.events.filter((e) => e.functionName === 'onBlob' && (returnJson(e) as { name: string }).name === name);
  /** Uploads a marker and waits until it fired: every blob listed before it was examined at least once since. */
  const passMarker = async (recorder: InvocationRecorder, name: string) => {
    await upload(incoming, name, name);
    await recorder.waitFor((e) => e.functionName === 'onBlob' && (returnJson(e) as { name: string }).name === name);
  };

  it('fires once per new or changed blob, and not again after a restart', async () => {
    await upload(incoming, 'a.txt', 'first');
    const recorder = new InvocationRecorder();
    let host = await start(recorder);
    try {
      const first = await recorder.waitFor((e) => e.functionName === 'onBlob');
      expect(returnJson(first)).toEqual({ name: 'a.txt', blobTrigger: 'incoming/a.txt', isBuffer: true, text: 'first' });

      await upload(incoming, 'b.txt', 'second');
      await recorder.waitFor((e) => e.functionName === 'onBlob' && (returnJson(e) as { name: string }).name === 'b.txt');
      await upload(incoming, 'a.txt', 'changed');
      await recorder.waitFor((e) => (returnJson(e) as { text?: string }).text === 'changed');
      await passMarker(recorder, 'm1.txt');
      await passMarker(recorder, 'm2.txt');
      expect(firedFor(recorder, 'a.txt')).toHaveLength(2);
      expect(firedFor(recorder, 'b.txt')).toHaveLength(1);
    } finally {
      await host.stop();
    }

    const afterRestart = new InvocationRecorder();
    host = await start(afterRestart);
    try {
      await passMarker(afterRestart, 'm3.txt');
      await passMarker(afterRestart, 'm4.txt');
      expect(afterRestart.events.filter((e) => e.functionName === 'onBlob').map((e) => (returnJson(e) as { name: string }).name)).toEqual([
        'm3.txt',
        'm4.txt',
      ]);
    } finally {
      await host.stop();
    }
  });

  it('retries a failing blob up to 5 attempts, then records it as poisoned', async () => {
    const recorder = new InvocationRecorder();
    const host = await start(recorder);
    try {
      await upload(poison, 'bad.txt', 'x');
      const failures = () => recorder.events.filter((e) => e.functionName === 'poisonBlob');
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        await recorder.waitFor((e) => e.functionName === 'poisonBlob' && failures().length >= attempt);
      }
      await passMarker(recorder, 'm5.txt');
      await passMarker(recorder, 'm6.txt');
      expect(failures().map((e) => e.outcome)).toEqual(['Failed', 'Failed', 'Failed', 'Failed', 'Failed']);
      const receipts = JSON.parse(readFileSync(path.join(dataDir, 'blob-receipts.json'), 'utf8')) as Record<string, { status?: string; attempts?: number }>;
      expect(receipts['poisonBlob|poison/bad.txt']).toMatchObject({ status: 'poisoned', attempts: 5 });
    } finally {
      await host.stop();
    }
  });
});
