import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { useLocalServices } from '../../support/local-services';

const services = useLocalServices();

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: services().postgres.connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('serves PostgreSQL 18 over TCP with password authentication in the sluice database', async () => {
    const row = await withClient(async (client) =>
      (await client.query('select current_database() as db, current_setting(\'server_version_num\')::int as v')).rows[0]);
    expect(row).toEqual({ db: 'sluice', v: expect.any(Number) });
    expect(row.v).toBeGreaterThanOrEqual(180000);

    const wrong = new Client({ connectionString: services().postgres.connectionString.replace(/:[^:@]+@/, ':wrong@') });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
  });

  it('loads rows with COPY FROM STDIN (pg-copy-streams) into an UNLOGGED staging table', async () => {
    const rows = 20000;
    const lines = function* (): Generator<string> {
      for (let i = 1; i <= rows; i++) yield `${i},UK_Account,"name, with comma ${i}",${i * 2}\n`;
    };
    const result = await withClient(async (client) => {
      await client.query('create unlogged table staging (id bigint, stream text, name text, amount numeric)');
      await pipeline(Readable.from(lines()), client.query(copyFrom('copy staging from stdin with (format csv)')));
      const persistence = await client.query("select relpersistence from pg_class where relname = 'staging'");
      const totals = await client.query('select count(*)::int as n, sum(amount)::bigint as total from staging');
      const sample = await client.query('select name from staging where id = 42');
      return { persistence: persistence.rows[0], totals: totals.rows[0], sample: sample.rows[0] };
    });
    expect(result.persistence).toEqual({ relpersistence: 'u' });
    expect(result.totals).toEqual({ n: rows, total: String(rows * (rows + 1)) });
    expect(result.sample).toEqual({ name: 'name, with comma 42' });
  });
});
