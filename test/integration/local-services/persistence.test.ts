import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { Client } from 'pg';
import { startLocalServices, type LocalServices } from '../../../local/services';
import { startPostgres } from '../../../local/services/postgres';

async function query(services: LocalServices, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: services.postgres.connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('persisted local services (npm start mode)', () => {
  let dataDir: string;
  let running: LocalServices | undefined;

  beforeAll(async () => {
    // RAM-backed when available: same code path as a folder on disk, without the disk's initdb cost.
    dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sluice-persist-'));
    // The postgres user must be able to walk into the data folder (mkdtemp makes it 0700).
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    await running?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps blobs and PostgreSQL rows across a stop and a second start on the same data folder', async () => {
    running = await startLocalServices({ dataDir });
    const container = BlobServiceClient.fromConnectionString(running.blob.connectionString).getContainerClient('lake');
    await container.create();
    await container.uploadBlockBlob('kept.txt', 'still here', 10);
    await query(running, 'create table kept (id int primary key, note text)');
    await query(running, "insert into kept values (1, 'still here')");
    const password = await readFile(join(dataDir, 'postgres', 'password'), 'utf8');
    await running.stop();

    running = await startLocalServices({ dataDir });
    const again = BlobServiceClient.fromConnectionString(running.blob.connectionString).getContainerClient('lake');
    expect((await again.getBlobClient('kept.txt').downloadToBuffer()).toString()).toBe('still here');
    expect(await query(running, 'select id, note from kept')).toEqual([{ id: 1, note: 'still here' }]);
    expect(await readFile(join(dataDir, 'postgres', 'password'), 'utf8')).toBe(password);
    await running.stop();
    running = undefined;
  });

  it('refuses a second PostgreSQL on a data folder that is in use, saying what to do, and leaves the first intact',
    async () => {
      const folder = join(dataDir, 'shared-pg');
      const first = await startPostgres({ dataDir: folder });
      try {
        await expect(startPostgres({ dataDir: folder })).rejects.toThrow(/is using .*shared-pg\/data; stop it first/);
        const client = new Client({ connectionString: first.connectionString });
        await client.connect();
        expect((await client.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
        await client.end();
      } finally {
        await first.stop();
      }
    });
});
