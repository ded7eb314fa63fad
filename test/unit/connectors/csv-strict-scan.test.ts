import fc from 'fast-check';
import { CsvStrictScanner, CsvStrictViolation, isStrictTimestamp, type StrictFieldRule } from '../../../connectors/csv/strict-scan';

const rules: StrictFieldRule[] = [
  { kind: 'int', required: true }, { kind: 'timestamptz', required: true }, { kind: 'numeric', required: false },
  { kind: 'text', required: false }, { kind: 'boolean', required: false }, { kind: 'jsonb', required: false },
];

function scan(text: string, pieces = 1): number {
  const scanner = new CsvStrictScanner(rules, ',');
  const bytes = Buffer.from(text);
  const size = Math.ceil(bytes.length / pieces) || 1;
  for (let at = 0; at < bytes.length; at += size) scanner.push(bytes.subarray(at, at + size));
  return scanner.finish();
}

const ts = (text: string): boolean => isStrictTimestamp(Buffer.from(text), Buffer.byteLength(text));

describe('CSV strict scan', () => {
  it('counts records of RFC 4180 CSV with quoted delimiters, quotes, newlines and CRLF, however the bytes are split', () => {
    const text = '1,2026-11-23T10:00:00Z,1.5,"a, ""b""\nc",true,"{""k"":1}"\r\n' +
      '-2,2026-11-23 10:00+01:00,,,,\n' +
      '3,2026-11-23T10:00:00.123456-0530,1e-3,é,N,[1]';
    for (const pieces of [1, 3, 17, Buffer.byteLength(text)]) expect(scan(text, pieces)).toBe(3);
  });

  it('takes every split of the same bytes the same way', () => {
    const text = '1,2026-11-23T10:00:00Z,1,"x\n""y""",t,{}\n2,2026-11-23T10:00:00Z,2,z,f,\n';
    fc.assert(fc.property(fc.integer({ min: 1, max: Buffer.byteLength(text) }), (pieces) => scan(text, pieces) === 2));
  });

  it.each([
    ['a quote inside an unquoted field', '1,2026-11-23T10:00:00Z,1,say "hi",t,{}\n'],
    ['characters after a closing quote', '1,2026-11-23T10:00:00Z,1,"hi"x,t,{}\n'],
    ['a quoted field that is never closed', '1,2026-11-23T10:00:00Z,1,"hi,t,{}\n'],
    ['a carriage return that does not end a line', '1,2026-11-23T10:00:00Z,1,a\rb,t,{}\n'],
    ['a record with 5 fields', '1,2026-11-23T10:00:00Z,1,a,t\n'],
    ['more fields than the 6 header columns', '1,2026-11-23T10:00:00Z,1,a,t,{},x\n'],
    ['an empty key or version value in column 1', '1,2026-11-23T10:00:00Z,1,a,t,{}\n\n'],
    ['an empty key or version value in column 1', ',2026-11-23T10:00:00Z,1,a,t,{}\n'],
    ['an empty key or version value in column 2', '1,"",1,a,t,{}\n'],
    ['a character outside [0-9+-.eE] in number column 1', '0x1F,2026-11-23T10:00:00Z,1,a,t,{}\n'],
    ['a character outside [0-9+-.eE] in number column 1', ' 1,2026-11-23T10:00:00Z,1,a,t,{}\n'],
    ['a character outside [0-9+-.eE] in number column 3', '1,2026-11-23T10:00:00Z,NaN,a,t,{}\n'],
    ['a character outside [0-9+-.eE] in number column 3', '1,2026-11-23T10:00:00Z,1_000,a,t,{}\n'],
    ['a boolean other than', '1,2026-11-23T10:00:00Z,1,a,on,{}\n'],
    ['a timestamp not in the form', '1,2026-11-23 10:00:00,1,a,t,{}\n'],
    ['a timestamp not in the form', '1,now,1,a,t,{}\n'],
  ])('refuses %s', (message, text) => {
    expect(() => scan(text)).toThrow(CsvStrictViolation);
    expect(() => scan(text)).toThrow(message);
  });

  it('refuses a line of only \\. (older servers end COPY data there) as a one-field record', () => {
    const scanner = new CsvStrictScanner([{ kind: 'text', required: false }, { kind: 'text', required: false }], ',');
    expect(() => scanner.push(Buffer.from('a,b\n\\.\nc,d\n'))).toThrow('a record with 1 fields, the header has 2');
  });

  it('accepts exactly the timestamps coerce.ts accepts by form, with hour <= 23 and minute, second <= 59', () => {
    for (const good of ['2026-11-23T10:00Z', '2026-11-23 23:59:59+05', '2026-11-23T00:00:00.1+0530', '2026-11-23T00:00:00.123456-05:30']) {
      expect([good, ts(good)]).toEqual([good, true]);
    }
    for (const bad of ['2026-11-23T24:00:00Z', '2026-11-23T10:60Z', '2026-11-23T10:00:60Z', '2026-11-23t10:00:00Z',
      '2026-11-23T10:00:00z', '2026-11-23T10:00:00', '2026-11-23T10:00:00.1234567Z', '2026-11-23T10:00:00.Z',
      '2026-11-23T10:00:00+5', '2026-11-23T10:00:00+05:3', '26-11-23T10:00:00Z', '2026-11-23T10:00:00 Z']) {
      expect([bad, ts(bad)]).toEqual([bad, false]);
    }
  });

  it('refuses delimiters PostgreSQL and csv-parse could read differently, and single-column files', () => {
    expect(() => new CsvStrictScanner(rules, '"')).toThrow(CsvStrictViolation);
    expect(() => new CsvStrictScanner(rules, '\n')).toThrow(CsvStrictViolation);
    expect(() => new CsvStrictScanner([{ kind: 'text', required: false }], ',')).toThrow('fewer than two columns');
    expect(new CsvStrictScanner(rules, ';').records).toBe(0);
    expect(new CsvStrictScanner(rules, '\t').records).toBe(0);
  });
});
