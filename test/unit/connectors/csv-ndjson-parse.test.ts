import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parseCsv, readCsvHeader } from '../../../connectors/csv/parse-csv';
import { decompressIf, isGzip } from '../../../connectors/gzip';
import { parseNdjson } from '../../../connectors/ndjson/parse-ndjson';
import type { Reject, SourceRecord } from '../../../connectors/records';

function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

async function collect(records: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

describe('CSV chunk parsing', () => {
  it('round-trips fields with commas, quotes and newlines and reports each record\'s first line', async () => {
    const value = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', ' ', 'é') });
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 30 }), async (rows) => {
      const nonEmpty = rows.filter(([a, b]) => `${a}${b}` !== '');
      let text = 'x,y\n';
      let line = 2;
      const expectedLines: number[] = [];
      for (const [a, b] of nonEmpty) {
        expectedLines.push(line);
        const record = `${field(a)},${field(b)}\n`;
        text += record;
        line += record.split('\n').length - 1;
      }
      const rejects: Reject[] = [];
      const records = await collect(parseCsv(Readable.from([Buffer.from(text)]), { onReject: (r) => rejects.push(r) }));
      expect(rejects.sort((a, b) => a.line - b.line)).toEqual([]);
      expect(records.map((r) => [r.values.x, r.values.y])).toEqual(nonEmpty);
      expect(records.map((r) => r.line)).toEqual(expectedLines);
    }), { numRuns: 200 });
  });

  it('parses a later chunk with the header given and absolute line numbers', async () => {
    const file = 'id,name\n1,"a\nb"\n2,c\n';
    const header = await readCsvHeader(Readable.from([file]));
    expect(header).toEqual(['id', 'name']);
    const records = await collect(parseCsv(Readable.from(['7,"x, y"\n8,z']), { columns: header, firstLine: 40, onReject: () => undefined }));
    expect(records).toEqual([
      { line: 40, raw: '7,"x, y"', values: { id: '7', name: 'x, y' } },
      { line: 41, raw: '8,z', values: { id: '8', name: 'z' } },
    ]);
  });

  it('rejects records with a wrong field count or an unclosed quote, with line and raw text, and goes on', async () => {
    const text = 'id,name\n1,a\n2,b,extra\n3,c"d\n4,d\n5,"open\n6,f\n';
    const rejects: Reject[] = [];
    const records = await collect(parseCsv(Readable.from([text]), { onReject: (r) => rejects.push(r) }));
    expect(records.map((r) => [r.line, r.values.id, r.values.name])).toEqual([[2, '1', 'a'], [4, '3', 'c"d'], [5, '4', 'd']]);
    expect(rejects.sort((a, b) => a.line - b.line)).toEqual([
      { line: 3, raw: '2,b,extra', reason: 'expected 2 fields, got 3' },
      { line: 6, raw: '5,"open\n6,f', reason: expect.stringContaining('quote opened on this line is never closed') },
    ]);
  });

  it('handles CRLF record ends and keeps CRLF inside quoted fields', async () => {
    const records = await collect(parseCsv(Readable.from(['id,name\r\n1,"a\r\nb"\r\n2,c\r\n']), { onReject: () => undefined }));
    expect(records).toEqual([
      { line: 2, raw: '1,"a\r\nb"', values: { id: '1', name: 'a\r\nb' } },
      { line: 4, raw: '2,c', values: { id: '2', name: 'c' } },
    ]);
  });

  it('refuses a header with duplicate names', async () => {
    await expect(collect(parseCsv(Readable.from(['a,a\n1,2\n']), { onReject: () => undefined })))
      .rejects.toMatchObject({ code: 'ChunkRejected', message: expect.stringContaining('"a" appears twice') });
  });

  it('reads gzip input through the decompressor', async () => {
    const gz = gzipSync(Buffer.from('id,name\n1,"x\ny"\n'));
    expect(isGzip('sales/2026.csv.gz')).toBe(true);
    expect(isGzip('sales/2026.csv', 'gzip')).toBe(true);
    const records = await collect(parseCsv(decompressIf(Readable.from([gz]), true), { onReject: () => undefined }));
    expect(records.map((r) => r.values)).toEqual([{ id: '1', name: 'x\ny' }]);
  });
});

describe('NDJSON chunk parsing', () => {
  it('yields objects with line numbers and rejects lines that are not JSON objects', async () => {
    const text = '{"id":1}\r\n\n{"id":2,"tags":["a"]}\n{bad\n[1]\n{"id":3}';
    const rejects: Reject[] = [];
    const records = await collect(parseNdjson(Readable.from([text]), { firstLine: 10, onReject: (r) => rejects.push(r) }));
    expect(records).toEqual([
      { line: 10, raw: '{"id":1}', values: { id: 1 } },
      { line: 12, raw: '{"id":2,"tags":["a"]}', values: { id: 2, tags: ['a'] } },
      { line: 15, raw: '{"id":3}', values: { id: 3 } },
    ]);
    expect(rejects.map((r) => [r.line, r.raw])).toEqual([[13, '{bad'], [14, '[1]']]);
    expect(rejects[1]!.reason).toBe('expected a JSON object, got an array');
  });
});
