import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import {
  chooseStrategy,
  chunkTasks,
  CsvBoundaryScanner,
  nextLineStart,
  planLineChunks,
  planWholeFiles,
  scanCsvChunks,
  type ByteRange,
} from '../../../core/chunk-plan';

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array, range: ByteRange): string => Buffer.from(bytes.subarray(range.start, range.end)).toString('utf8');

function csvField(value: string, forceQuotes: boolean): string {
  return forceQuotes || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const fieldArb = fc
  .array(fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '€', '7'), { maxLength: 6 })
  .map((parts) => parts.join(''));
const rowArb = fc.array(fc.tuple(fieldArb, fc.boolean()), { minLength: 2, maxLength: 4 });
const csvFileArb = fc.record({
  rows: fc.array(rowArb, { minLength: 1, maxLength: 30, size: 'max' }),
  eol: fc.constantFrom('\n', '\r\n'),
  trailingEol: fc.boolean(),
  header: fc.boolean(),
});

function serialise(file: { rows: Array<Array<[string, boolean]>>; eol: string; trailingEol: boolean }): { bytes: Uint8Array; recordStarts: Set<number> } {
  const lines = file.rows.map((row) => row.map(([value, quoted]) => csvField(value, quoted)).join(','));
  const recordStarts = new Set<number>();
  let offset = 0;
  lines.forEach((line, i) => {
    recordStarts.add(offset);
    offset += Buffer.byteLength(line) + (i < lines.length - 1 || file.trailingEol ? Buffer.byteLength(file.eol) : 0);
  });
  return { bytes: utf8(lines.join(file.eol) + (file.trailingEol ? file.eol : '')), recordStarts };
}

const parseCsv = (input: string, eol: string): string[][] => parse(input, { record_delimiter: eol, relax_column_count: true }) as string[][];

describe('CSV boundary scan', () => {
  it('never cuts inside a quoted field, even when its content looks like records', () => {
    const file = 'id,note\n1,"x\n2,fake row\n3,""quoted"" too"\n4,plain\n5,last\n';
    const bytes = utf8(file);
    const plan = scanCsvChunks(bytes, { targetChunkBytes: 4, header: true });
    expect(plan.headerRange).toEqual({ start: 0, end: 8 });
    expect(plan.chunks.map((c) => text(bytes, c))).toEqual(['1,"x\n2,fake row\n3,""quoted"" too"\n', '4,plain\n', '5,last\n']);
    expect(plan.endedInQuotes).toBe(false);
  });

  it('handles CRLF, a custom delimiter and quote, and reports a file ending inside quotes', () => {
    const bytes = utf8("a;'b\r\nc'\r\nd;e\r\n'unterminated");
    const plan = scanCsvChunks(bytes, { targetChunkBytes: 1, header: false, dialect: { delimiter: ';', quote: "'" } });
    expect(plan.chunks.map((c) => text(bytes, c))).toEqual(["a;'b\r\nc'\r\n", 'd;e\r\n', "'unterminated"]);
    expect(plan.endedInQuotes).toBe(true);
  });

  it('rejects a scan that missed bytes and a multi-character delimiter', () => {
    const scanner = new CsvBoundaryScanner({ targetChunkBytes: 10, header: false });
    scanner.push(utf8('a,b\n'));
    expect(() => scanner.finish(10)).toThrow(/scanned 4 bytes but the file has 10/);
    expect(() => new CsvBoundaryScanner({ targetChunkBytes: 10, header: false, dialect: { delimiter: '||' } })).toThrow(/one ASCII character/);
  });

  it('chunks concatenate to the file, start at record boundaries and parse to exactly the rows of the whole file', () => {
    fc.assert(
      fc.property(csvFileArb, fc.integer({ min: 1, max: 60 }), fc.array(fc.nat(400), { maxLength: 5 }), (file, target, splits) => {
        const { bytes, recordStarts } = serialise(file);
        const scanner = new CsvBoundaryScanner({ targetChunkBytes: target, header: file.header });
        // Feed in arbitrary pieces, as a streamed download would.
        const cuts = [...new Set(splits.map((s) => s % (bytes.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        for (const cut of [...cuts, bytes.length]) {
          scanner.push(bytes.subarray(from, cut));
          from = cut;
        }
        const plan = scanner.finish(bytes.length);
        const pieces = [...(plan.headerRange ? [plan.headerRange] : []), ...plan.chunks];
        expect(Buffer.concat(pieces.map((r) => bytes.subarray(r.start, r.end)))).toEqual(Buffer.from(bytes));
        expect(plan.chunks.filter((c) => !recordStarts.has(c.start))).toEqual([]);
        expect(plan.chunks.slice(0, -1).filter((c) => c.end - c.start < target)).toEqual([]);
        const whole = parseCsv(Buffer.from(bytes).toString('utf8'), file.eol);
        const fromChunks = pieces.flatMap((r) => parseCsv(text(bytes, r), file.eol));
        expect(fromChunks).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Oracle: the plain byte-by-byte RFC 4180 state machine (quote opens only at a field start, "" escapes, LF outside
 * quotes ends a record). The scanner jumps with indexOf and must agree with it on every input, even malformed.
 */
function referencePlan(bytes: Uint8Array, target: number, header: boolean): { headerEnd: number | null; starts: number[]; inQuotes: boolean } {
  const [FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED] = [0, 1, 2, 3];
  let state = FIELD_START;
  let headerEnd: number | null = header ? null : 0;
  let chunkStart = 0;
  const starts: number[] = [];
  bytes.forEach((b, i) => {
    if (state === QUOTED) {
      if (b === 0x22) state = QUOTE_IN_QUOTED;
      return;
    }
    if ((state === FIELD_START || state === QUOTE_IN_QUOTED) && b === 0x22) {
      state = QUOTED;
      return;
    }
    if (b === 0x2c) state = FIELD_START;
    else if (b === 0x0a) {
      state = FIELD_START;
      const start = i + 1;
      if (headerEnd === null) {
        headerEnd = start;
        chunkStart = start;
      } else if (start - chunkStart >= target) {
        starts.push(start);
        chunkStart = start;
      }
    } else state = UNQUOTED;
  });
  return { headerEnd, starts: starts.filter((s) => s < bytes.length), inQuotes: state === QUOTED };
}

describe('CSV boundary scan agrees with the byte-by-byte oracle', () => {
  it('on arbitrary (also malformed) input fed in arbitrary pieces', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r'), maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        fc.array(fc.nat(300), { maxLength: 6 }),
        (input, target, header, splits) => {
          const bytes = utf8(input);
          const scanner = new CsvBoundaryScanner({ targetChunkBytes: target, header });
          let from = 0;
          for (const cut of [...new Set(splits.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b).concat(bytes.length)) {
            scanner.push(bytes.subarray(from, cut));
            from = cut;
          }
          const plan = scanner.finish(bytes.length);
          const oracle = referencePlan(bytes, target, header);
          const headerEnd = oracle.headerEnd ?? bytes.length;
          expect(plan.headerRange).toEqual(header ? { start: 0, end: headerEnd } : null);
          expect(plan.chunks.map((c) => c.start)).toEqual([headerEnd, ...oracle.starts].filter((start, i, all) => (all[i + 1] ?? bytes.length) > start));
          expect(plan.endedInQuotes).toBe(oracle.inQuotes);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('line probes (NDJSON, CSV without newlines in quotes)', () => {
  it('finds the first record start after the probe offset', () => {
    expect(nextLineStart(utf8('ab\ncd'), 10)).toBe(13);
    expect(nextLineStart(utf8('abcd'), 10)).toBeNull();
  });

  it('plans NDJSON chunks that concatenate to the file and parse to the same objects', async () => {
    const valueArb = fc.record({ id: fc.nat(), s: fc.string({ unit: fc.constantFrom('a', '\n', '"', 'é', '{', '}', '\\') }) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(valueArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 16 }),
        fc.boolean(),
        async (values, target, probeBytes, trailing) => {
          const bytes = utf8(values.map((v) => JSON.stringify(v)).join('\n') + (trailing ? '\n' : ''));
          const reads: ByteRange[] = [];
          const plan = await planLineChunks({ totalSize: bytes.length, targetChunkBytes: target, header: false, probeBytes }, async (start, end) => {
            reads.push({ start, end });
            return bytes.subarray(start, end);
          });
          expect(Buffer.concat(plan.chunks.map((c) => bytes.subarray(c.start, c.end)))).toEqual(Buffer.from(bytes));
          const parsed = plan.chunks.flatMap((c) => text(bytes, c).split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as unknown));
          expect(parsed).toEqual(values);
          expect(reads.filter((r) => !(r.start >= 0 && r.end <= bytes.length && r.start <= r.end))).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps the header line out of the chunks', async () => {
    const bytes = utf8('id,name\n1,a\n2,b\n3,c\n');
    const plan = await planLineChunks({ totalSize: bytes.length, targetChunkBytes: 4, header: true, probeBytes: 2 }, async (s, e) => bytes.subarray(s, e));
    expect(plan.headerRange).toEqual({ start: 0, end: 8 });
    expect(plan.chunks.map((c) => text(bytes, c))).toEqual(['1,a\n', '2,b\n', '3,c\n']);
  });
});

describe('file strategies', () => {
  it('loads gzip and small files whole, probes NDJSON and quote-free CSV, scans other CSV', () => {
    const options = { format: 'csv' as const, targetChunkBytes: 100 };
    expect(chooseStrategy({ name: 'a.csv.gz', size: 1e9, gzip: true }, options)).toBe('whole');
    expect(chooseStrategy({ name: 'a.csv', size: 100, gzip: false }, options)).toBe('whole');
    expect(chooseStrategy({ name: 'a.csv', size: 101, gzip: false }, options)).toBe('scan');
    expect(chooseStrategy({ name: 'a.csv', size: 101, gzip: false }, { ...options, newlinesInQuotes: false })).toBe('probe');
    expect(chooseStrategy({ name: 'a.ndjson', size: 101, gzip: false }, { ...options, format: 'ndjson' })).toBe('probe');
  });

  it('plans a prefix of many files: one whole plan per gzip file, the rest listed for splitting', () => {
    const files = [
      { name: 'p/1.csv.gz', size: 5_000, gzip: true },
      { name: 'p/2.csv', size: 5_000, gzip: false },
      { name: 'p/3.csv', size: 10, gzip: false },
    ];
    const { plans, toSplit } = planWholeFiles(files, { format: 'csv', targetChunkBytes: 1_000 });
    expect(plans).toEqual([
      { kind: 'whole', name: 'p/1.csv.gz', size: 5_000 },
      { kind: 'whole', name: 'p/3.csv', size: 10 },
    ]);
    expect(toSplit).toEqual([{ file: files[1], strategy: 'scan' }]);
  });
  it('flattens many file plans into chunk tasks with stable ids', () => {
    const tasks = chunkTasks([
      { kind: 'whole', name: 'p/1.csv.gz', size: 5_000 },
      { kind: 'ranges', name: 'p/2.csv', size: 30, headerRange: { start: 0, end: 8 }, chunks: [{ start: 8, end: 20 }, { start: 20, end: 30 }] },
    ]);
    expect(tasks).toEqual([
      { chunkId: 'p/1.csv.gz#0', file: 'p/1.csv.gz', range: null, headerRange: null },
      { chunkId: 'p/2.csv#0', file: 'p/2.csv', range: { start: 8, end: 20 }, headerRange: { start: 0, end: 8 } },
      { chunkId: 'p/2.csv#1', file: 'p/2.csv', range: { start: 20, end: 30 }, headerRange: { start: 0, end: 8 } },
    ]);
  });
});
