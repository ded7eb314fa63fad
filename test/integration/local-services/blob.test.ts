import { randomBytes } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { useLocalServices } from '../../support/local-services';

const services = useLocalServices();

describe('Azurite blob service', () => {
  it('accepts a multi-block upload and serves byte ranges of it with @azure/storage-blob', async () => {
    const client = BlobServiceClient.fromConnectionString(services().blob.connectionString);
    const container = client.getContainerClient('landing');
    await container.create();
    const data = randomBytes(5 * 1024 * 1024 + 123);
    const blob = container.getBlockBlobClient('sales/2026-11-23.csv');
    await blob.uploadData(data, { blockSize: 1024 * 1024, concurrency: 4 });

    const properties = await blob.getProperties();
    expect(properties.contentLength).toBe(data.length);
    const offset = 1024 * 1024 - 7;
    const count = 2 * 1024 * 1024 + 11;
    expect((await blob.downloadToBuffer(offset, count)).equals(data.subarray(offset, offset + count))).toBe(true);

    const tail = await blob.download(data.length - 100, 100);
    const chunks: Buffer[] = [];
    for await (const chunk of tail.readableStreamBody as NodeJS.ReadableStream) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).equals(data.subarray(data.length - 100))).toBe(true);
  });

  it('lists blobs by prefix as the landing-folder scans need', async () => {
    const container = BlobServiceClient.fromConnectionString(services().blob.connectionString)
      .getContainerClient('prefixes');
    await container.create();
    for (const name of ['uk/a.csv', 'uk/b.csv', 'fr/a.csv']) await container.uploadBlockBlob(name, 'x', 1);
    const names: string[] = [];
    for await (const item of container.listBlobsFlat({ prefix: 'uk/' })) names.push(item.name);
    expect(names).toEqual(['uk/a.csv', 'uk/b.csv']);
  });
});
