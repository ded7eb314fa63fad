/**
 * Strict CSV byte scan for the PostgreSQL fast path (docs/elt.md "CSV fast path"): the chunk's bytes go to
 * PostgreSQL's own `COPY ... (format csv)` unparsed, and this scan, run over the same bytes on the way, proves
 * that PostgreSQL will read exactly what csv-parse + coerce.ts would have read. It accepts only input on which
 * the two agree:
 *
 * - RFC 4180 quoting only: a quote opens a field only at its start and closes it only before a delimiter or the
 *   record end (csv-parse's `relax_quotes` and PostgreSQL read stray quotes differently);
 * - LF or CRLF record ends (no bare CR), every record with exactly the header's field count (no empty lines,
 *   which csv-parse skips; no `\.` line, which older servers read as end of data);
 * - per column, values in the language coerce.ts accepts and PostgreSQL reads the same way: integers and
 *   numerics of digits, sign, `.` and exponent only (no whitespace, `_`, hex, NaN), booleans from coerce.ts's
 *   list, ISO 8601 timestamps with a zone and an hour <= 23, minute and second <= 59; no empty key or version.
 *
 * Anything else is a violation and the caller falls back to the csv-parse path, which gives every bad row its
 * precise reject. Values PostgreSQL itself refuses (Feb 30, an int out of range, bad JSON, bad UTF-8) fail the
 * COPY, which falls back the same way. Works on UTF-8 bytes: multi-byte characters never contain ASCII bytes.
 */

/** What the scan checks in a column's values; `text` and `jsonb` values are left to PostgreSQL. */
export type StrictFieldKind = 'text' | 'int' | 'numeric' | 'boolean' | 'timestamptz' | 'jsonb';

export interface StrictFieldRule {
  kind: StrictFieldKind;
  /** An empty value is a violation (a key or version column, whose NULL coerce.ts rejects). */
  required: boolean;
}

export class CsvStrictViolation extends Error {
  override readonly name = 'CsvStrictViolation';
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const maxHeldBytes = 40;

const enum State {
  FieldStart = 0,
  Unquoted = 1,
  Quoted = 2,
  QuoteInQuoted = 3,
  AfterCr = 4,
}

const enum Kind {
  Text = 0,
  Int = 1,
  Numeric = 2,
  Boolean = 3,
  Timestamp = 4,
  Json = 5,
}

const kinds: Record<StrictFieldKind, Kind> = {
  text: Kind.Text, int: Kind.Int, numeric: Kind.Numeric, boolean: Kind.Boolean, timestamptz: Kind.Timestamp, jsonb: Kind.Json,
};
const booleans = new Set(['true', 't', 'yes', 'y', '1', 'false', 'f', 'no', 'n', '0']);

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Bytes allowed in an int (digits, sign) and a numeric (also `.`, `e`, `E`); structure is PostgreSQL's to check. */
function numberByte(c: number, numeric: boolean): boolean {
  return isDigit(c) || c === 0x2b || c === 0x2d || (numeric && (c === 0x2e || c === 0x65 || c === 0x45));
}

function twoDigits(b: Uint8Array, at: number, max: number): boolean {
  return isDigit(b[at]!) && isDigit(b[at + 1]!) && (b[at]! - 0x30) * 10 + (b[at + 1]! - 0x30) <= max;
}

/** `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]](Z|+HH[[:]MM])`, hour <= 23, minute and second <= 59 (coerce.ts's rule). */
export function isStrictTimestamp(b: Uint8Array, length: number): boolean {
  if (length < 17) return false;
  if (!isDigit(b[0]!) || !isDigit(b[1]!) || !isDigit(b[2]!) || !isDigit(b[3]!) || !isDigit(b[5]!) || !isDigit(b[6]!) ||
    !isDigit(b[8]!) || !isDigit(b[9]!)) return false;
  if (b[4] !== 0x2d || b[7] !== 0x2d || (b[10] !== 0x54 && b[10] !== 0x20) || b[13] !== 0x3a) return false;
  if (!twoDigits(b, 11, 23) || !twoDigits(b, 14, 59)) return false;
  let at = 16;
  if (b[at] === 0x3a) {
    if (at + 3 > length || !twoDigits(b, at + 1, 59)) return false;
    at += 3;
    if (at < length && b[at] === 0x2e) {
      let digits = 0;
      while (at + 1 + digits < length && isDigit(b[at + 1 + digits]!)) digits++;
      if (digits < 1 || digits > 6) return false;
      at += 1 + digits;
    }
  }
  if (at >= length) return false;
  if (at === length - 1) return b[at] === 0x5a;
  if (b[at] !== 0x2b && b[at] !== 0x2d) return false;
  const zone = length - at - 1;
  if (!isDigit(b[at + 1]!) || !isDigit(b[at + 2]!)) return false;
  if (zone === 2) return true;
  if (zone === 4) return isDigit(b[at + 3]!) && isDigit(b[at + 4]!);
  return zone === 5 && b[at + 3] === 0x3a && isDigit(b[at + 4]!) && isDigit(b[at + 5]!);
}

export class CsvStrictScanner {
  private readonly delimiter: number;
  private readonly kinds: Kind[];
  private readonly required: boolean[];
  private state = State.FieldStart;
  private field = 0;
  private fieldLength = 0;
  private readonly held = new Uint8Array(maxHeldBytes);
  private recordCount = 0;

  constructor(rules: readonly StrictFieldRule[], delimiter: string) {
    const code = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
    if ((code < 0x20 && code !== 0x09) || code > 0x7e || code === QUOTE) {
      throw new CsvStrictViolation(`delimiter ${JSON.stringify(delimiter)} is not a tab or a printable ASCII character other than the quote`);
    }
    if (rules.length < 2) throw new CsvStrictViolation('fewer than two columns (an empty line would be a record)');
    this.delimiter = code;
    this.kinds = rules.map((r) => kinds[r.kind]);
    this.required = rules.map((r) => r.required);
  }

  /** Records completed so far. */
  get records(): number {
    return this.recordCount;
  }

  /**
   * Feeds the next bytes, in order; throws CsvStrictViolation at the first byte the fast path cannot take.
   * Runs of value bytes are consumed in tight loops (quoted runs with native `indexOf`), since this sees every byte.
   */
  push(bytes: Uint8Array): void {
    const n = bytes.length;
    const delimiter = this.delimiter;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.FieldStart: {
          const c = bytes[i]!;
          if (c === QUOTE) this.state = State.Quoted;
          else if (c === delimiter) this.endField();
          else if (c === LF) this.endRecord();
          else if (c === CR) this.state = State.AfterCr;
          else {
            this.state = State.Unquoted;
            continue;
          }
          i++;
          break;
        }
        case State.Unquoted: {
          let end = i;
          while (end < n) {
            const c = bytes[end]!;
            if (c === delimiter || c === LF || c === CR || c === QUOTE) break;
            end++;
          }
          this.values(bytes, i, end);
          if (end === n) return;
          const c = bytes[end]!;
          if (c === delimiter) this.endField();
          else if (c === LF) this.endRecord();
          else if (c === CR) this.state = State.AfterCr;
          else throw new CsvStrictViolation('a quote inside an unquoted field');
          i = end + 1;
          break;
        }
        case State.Quoted: {
          const quote = bytes.indexOf(QUOTE, i);
          this.values(bytes, i, quote === -1 ? n : quote);
          if (quote === -1) return;
          this.state = State.QuoteInQuoted;
          i = quote + 1;
          break;
        }
        case State.QuoteInQuoted: {
          const c = bytes[i]!;
          if (c === QUOTE) {
            this.state = State.Quoted;
            this.values(bytes, i, i + 1);
          } else if (c === delimiter) this.endField();
          else if (c === LF) this.endRecord();
          else if (c === CR) this.state = State.AfterCr;
          else throw new CsvStrictViolation('characters after a closing quote');
          i++;
          break;
        }
        case State.AfterCr:
          if (bytes[i] !== LF) throw new CsvStrictViolation('a carriage return that does not end a line');
          this.endRecord();
          i++;
          break;
      }
    }
  }

  /** Call after the last bytes; a last record without a line end counts. Returns the number of records. */
  finish(): number {
    if (this.state === State.Quoted) throw new CsvStrictViolation('a quoted field that is never closed');
    if (this.state === State.AfterCr) throw new CsvStrictViolation('a carriage return that does not end a line');
    if (this.state !== State.FieldStart || this.field > 0) this.endRecord();
    return this.recordCount;
  }

  /** Checks value bytes [from, to) of the current field as its column's kind requires. */
  private values(bytes: Uint8Array, from: number, to: number): void {
    const kind = this.kinds[this.field];
    if (kind === undefined) throw new CsvStrictViolation(`more fields than the ${this.kinds.length} header columns`);
    if (kind === Kind.Int || kind === Kind.Numeric) {
      const numeric = kind === Kind.Numeric;
      for (let i = from; i < to; i++) {
        if (!numberByte(bytes[i]!, numeric)) throw new CsvStrictViolation(`a character outside [0-9+-.eE] in number column ${this.field + 1}`);
      }
    } else if (kind === Kind.Boolean || kind === Kind.Timestamp) {
      if (this.fieldLength + to - from > maxHeldBytes) throw new CsvStrictViolation(`an over-long value in column ${this.field + 1}`);
      this.held.set(bytes.subarray(from, to), this.fieldLength);
    }
    this.fieldLength += to - from;
  }

  private endField(): void {
    const kind = this.kinds[this.field];
    if (kind === undefined) throw new CsvStrictViolation(`more fields than the ${this.kinds.length} header columns`);
    if (this.fieldLength === 0) {
      if (this.required[this.field]) throw new CsvStrictViolation(`an empty key or version value in column ${this.field + 1}`);
    } else if (kind === Kind.Boolean) {
      const text = String.fromCharCode(...this.held.subarray(0, this.fieldLength)).toLowerCase();
      if (!booleans.has(text)) throw new CsvStrictViolation(`a boolean other than ${[...booleans].join('/')} in column ${this.field + 1}`);
    } else if (kind === Kind.Timestamp && !isStrictTimestamp(this.held, this.fieldLength)) {
      throw new CsvStrictViolation(`a timestamp not in the form 2026-11-23T10:00:00Z in column ${this.field + 1}`);
    }
    this.field++;
    this.fieldLength = 0;
    this.state = State.FieldStart;
  }

  private endRecord(): void {
    this.endField();
    if (this.field !== this.kinds.length) {
      throw new CsvStrictViolation(`a record with ${this.field} fields, the header has ${this.kinds.length}`);
    }
    this.field = 0;
    this.recordCount++;
  }
}
