import { coerceJsonValue, toDocument, type CosmosDocumentShape } from '../../../connectors/cosmos/documents';

const shape: CosmosDocumentShape = {
  keyColumns: ['country', 'account'], partitionKeyField: 'country', versionColumn: 'changed',
  columns: { account: 'bigint', changed: 'timestamptz', active: 'boolean', score: 'double precision', born: 'date', meta: 'jsonb' },
};
const record = (values: Record<string, unknown>) => ({ line: 7, raw: 'raw text', values });

describe('Cosmos DB documents from parsed rows', () => {
  it('coerces CSV text to JSON values per column type and builds the id from the key columns', () => {
    const result = toDocument(record({ country: 'UK/GB', account: '0042', changed: '2026-11-23 10:00:00+01', active: 'yes', score: '1e3', born: '2000-02-29', meta: '{"a":[1]}', note: 'x' }), shape, 'text');
    expect(result).toEqual({ ok: true, record: { line: 7, raw: 'raw text', values: {
      country: 'UK/GB', account: 42, changed: '2026-11-23T09:00:00.000Z', active: true, score: 1000, born: '2000-02-29', meta: { a: [1] }, note: 'x', id: 'UK%2FGB|42',
    } } });
  });

  it('turns a bad value, an empty key or version, and an "id" field that is not the key into a reason naming the column', () => {
    expect(toDocument(record({ country: 'UK', account: 'x', changed: '2026-11-23T10:00:00Z' }), shape, 'text')).toEqual({ ok: false, reason: 'column "account": expected bigint, got "x"' });
    expect(toDocument(record({ country: '', account: '1', changed: '2026-11-23T10:00:00Z' }), shape, 'text')).toMatchObject({ ok: false, reason: expect.stringContaining('cannot be empty') as unknown });
    expect(toDocument(record({ country: 'UK', account: '1', changed: '' }), shape, 'text')).toEqual({ ok: false, reason: 'column "changed": the version column cannot be empty' });
    expect(toDocument(record({ country: 'UK', account: '1', changed: '2026-11-23T10:00:00Z', id: 'other' }), shape, 'text')).toMatchObject({ ok: false, reason: expect.stringContaining('field "id"') as unknown });
    expect(toDocument(record({ country: 'UK', account: '1', changed: '2026-11-23T10:00:00Z', born: '2001-02-29' }), shape, 'text')).toMatchObject({ ok: false, reason: expect.stringContaining('column "born": expected a date') as unknown });
  });

  it('keeps NDJSON values, refuses integers JSON cannot hold exactly, and makes a single numeric key a string id', () => {
    expect(coerceJsonValue({ a: 1 }, 'jsonb', 'json')).toEqual({ ok: true, value: { a: 1 } });
    expect(coerceJsonValue('9007199254740993', 'bigint', 'text')).toMatchObject({ ok: false, reason: expect.stringContaining('beyond 2^53') as unknown });
    const single = toDocument(record({ id: 12, v: 3 }), { keyColumns: ['id'], partitionKeyField: 'id', versionColumn: 'v', columns: { id: 'bigint', v: 'integer' } }, 'json');
    expect(single).toEqual({ ok: true, record: { line: 7, raw: 'raw text', values: { id: '12', v: 3 } } });
  });
});
