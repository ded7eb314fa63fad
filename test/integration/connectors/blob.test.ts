import type { Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import {
  createBlobServiceClient, ensureContainer, getBlobInfo, listBlobs, openRange, RejectsWriter, writeLanding,
} from '../../../connectors/blob';
import { useLocalServices } from '../../support/local-services';

const services = useLocalServices();

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function container(name: string): Promise<ContainerClient> {
  const client = createBlobServiceClient({ connectionString: services().blob.connectionString }).getContainerClient(name);
  await ensureContainer(client);
  await ensureContainer(client);
  return client;
}

describe('Blob connector', () => {
  it('lands window records as NDJSON under <stream>/<windowId>/ and lists them by prefix', async () => {
    const landing = await container('landing');
    const first = await writeLanding(landing, [{ id: 1, note: 'a\nb' }, { id: 2 }], { stream: 'UK_Account', windowId: 'w-000001' });
    await writeLanding(landing, [{ id: 3 }], { stream: 'UK_Account', windowId: 'w-000001', part: 1 });
    await writeLanding(landing, [{ id: 9 }], { stream: 'FR_Account', windowId: 'w-000001' });
    expect(first.name).toBe('UK_Account/w-000001/part-00000.ndjson');

    const listed = [];
    for await (const blob of listBlobs(landing, 'UK_Account/')) listed.push([blob.name, blob.size]);
    expect(listed).toEqual([['UK_Account/w-000001/part-00000.ndjson', first.bytes], ['UK_Account/w-000001/part-00001.ndjson', 9]]);
    expect(await text(await openRange(landing, first.name, { offset: 0 }))).toBe('{"id":1,"note":"a\\nb"}\n{"id":2}\n');
    await expect(writeLanding(landing, [], { stream: '../other', windowId: 'w' })).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('reads exact byte ranges of one blob version and refuses a range of a newer upload', async () => {
    const files = await container('files');
    const body = Array.from({ length: 2000 }, (_, i) => `${i},"row ${i}"\n`).join('');
    await files.getBlockBlobClient('sales/day.csv').uploadData(Buffer.from(body));
    const info = await getBlobInfo(files, 'sales/day.csv');
    expect(info.size).toBe(Buffer.byteLength(body));
    expect(await text(await openRange(files, 'sales/day.csv', { offset: 1000, count: 500, etag: info.etag })))
      .toBe(body.slice(1000, 1500));

    await files.getBlockBlobClient('sales/day.csv').uploadData(Buffer.from('replaced'));
    await expect(openRange(files, 'sales/day.csv', { offset: 0, count: 10, etag: info.etag }))
      .rejects.toMatchObject({ code: 'PreconditionFailed', retryable: false });
    await expect(openRange(files, 'sales/missing.csv', { offset: 0 }))
      .rejects.toMatchObject({ code: 'SourceFailed', retryable: false, message: expect.stringContaining('BlobNotFound') });
  });

  it('writes rejects as {file, line, raw, reason} lines per chunk and replaces them on retry', async () => {
    const rejects = await container('rejects');
    const first = new RejectsWriter(rejects, { loadId: 'load-7', file: 'sales/day.csv', chunkIndex: 2 });
    first.add({ line: 12, raw: '1,"x', reason: 'bad' });
    first.add({ line: 40, raw: 'y', reason: 'worse' });
    expect(await first.flush()).toEqual({ name: 'load-7/sales/day.csv/chunk-00002.ndjson', count: 2 });

    const retry = new RejectsWriter(rejects, { loadId: 'load-7', file: 'sales/day.csv', chunkIndex: 2 });
    retry.add({ line: 12, raw: '1,"x', reason: 'bad' });
    await retry.flush();
    const lines = (await text(await openRange(rejects, retry.blobName, { offset: 0 }))).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([{ file: 'sales/day.csv', line: 12, raw: '1,"x', reason: 'bad' }]);

    const clean = new RejectsWriter(rejects, { loadId: 'load-7', file: 'sales/day.csv', chunkIndex: 2 });
    expect(await clean.flush()).toBeUndefined();
    const left = [];
    for await (const blob of listBlobs(rejects, 'load-7/')) left.push(blob.name);
    expect(left).toEqual([]);
  });
});
