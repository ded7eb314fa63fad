import fc from 'fast-check';
import { coerceValue, copyTextField } from '../../../connectors/postgres/coerce';
import { buildMergeSql } from '../../../connectors/postgres/merge';
import { quoteIdentifier } from '../../../connectors/postgres/identifiers';
import { targetTableSchema } from '../../../connectors/postgres/target-table';

/** COPY text format decoding as PostgreSQL does it, for the round-trip property. */
function decodeCopyField(field: string): string | null {
  if (field === '\\N') return null;
  return field.replace(/\\(.)/gs, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}

describe('COPY text encoding and value coercion', () => {
  it('encodes any string so that decoding gives it back and no raw tab or newline remains', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      const field = copyTextField(text);
      expect(field).not.toMatch(/[\t\n\r]/);
      expect(decodeCopyField(field)).toBe(text);
    }));
  });

  it('accepts integers in range and rejects overflow, fractions and words', () => {
    expect(coerceValue(' 42 ', 'int', 'text')).toEqual({ ok: true, value: '42' });
    expect(coerceValue('-2147483648', 'int', 'text')).toEqual({ ok: true, value: '-2147483648' });
    expect(coerceValue('2147483648', 'int', 'text')).toMatchObject({ ok: false });
    expect(coerceValue('9223372036854775807', 'bigint', 'text')).toEqual({ ok: true, value: '9223372036854775807' });
    expect(coerceValue('9223372036854775808', 'bigint', 'text')).toMatchObject({ ok: false });
    expect(coerceValue(1.5, 'bigint', 'json')).toMatchObject({ ok: false });
    expect(coerceValue('1e3', 'numeric', 'text')).toEqual({ ok: true, value: '1e3' });
    expect(coerceValue('NaN', 'numeric', 'text')).toMatchObject({ ok: false });
  });

  it('maps empty CSV fields to NULL except for text, and keeps JSON values typed', () => {
    expect(coerceValue('', 'bigint', 'text')).toEqual({ ok: true, value: null });
    expect(coerceValue('', 'text', 'text')).toEqual({ ok: true, value: '' });
    expect(coerceValue({ a: [1] }, 'jsonb', 'json')).toEqual({ ok: true, value: '{"a":[1]}' });
    expect(coerceValue('"s"', 'jsonb', 'text')).toEqual({ ok: true, value: '"s"' });
    expect(coerceValue('{bad', 'jsonb', 'text')).toMatchObject({ ok: false });
    expect(coerceValue('Yes', 'boolean', 'text')).toEqual({ ok: true, value: 't' });
    expect(coerceValue({}, 'text', 'json')).toMatchObject({ ok: false });
  });

  it('requires timestamps with a time zone and a real calendar date', () => {
    expect(coerceValue('2026-11-23T10:00:00.123456+01:00', 'timestamptz', 'text')).toMatchObject({ ok: true });
    expect(coerceValue('2026-11-23 10:00Z', 'timestamptz', 'text')).toMatchObject({ ok: true });
    expect(coerceValue('2026-11-23T10:00:00', 'timestamptz', 'text')).toMatchObject({ ok: false });
    expect(coerceValue('2026-02-29T10:00:00Z', 'timestamptz', 'text')).toMatchObject({ ok: false });
    expect(coerceValue('2026-11-23T24:00:00Z', 'timestamptz', 'text')).toMatchObject({ ok: false });
  });
});

describe('identifiers and merge SQL', () => {
  it('quotes valid identifiers and refuses anything outside the strict pattern', () => {
    expect(quoteIdentifier('sales_2026')).toBe('"sales_2026"');
    for (const bad of ['Sales', 'a"b', 'x; drop table t', '', '1abc', 'a'.repeat(64)]) {
      expect(() => quoteIdentifier(bad)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
  });

  it('rejects table configs whose key or version column is not a column', () => {
    const result = targetTableSchema.safeParse({ schema: 's', table: 't', keyColumns: ['id'], versionColumn: 'v',
      columns: [{ name: 'id', type: 'bigint' }] });
    expect(result.success).toBe(false);
  });

  it('guards the update with a strict version comparison and updates every non-key column', () => {
    const table = targetTableSchema.parse({ schema: 's', table: 't', keyColumns: ['a', 'b'], versionColumn: 'v',
      columns: [{ name: 'a', type: 'int' }, { name: 'b', type: 'text' }, { name: 'v', type: 'bigint' }, { name: 'x', type: 'jsonb' }] });
    const sql = buildMergeSql(table, ['"st"."s1"', '"st"."s2"']);
    expect(sql).toContain('select distinct on ("a", "b") "a", "b", "v", "x" from (select "a", "b", "v", "x" from "st"."s1" union all');
    expect(sql).toContain('order by "a", "b", "v" desc');
    expect(sql).toContain('on conflict ("a", "b") do update set "v" = excluded."v", "x" = excluded."x"');
    expect(sql).toContain('where t."v" < excluded."v"');
  });
});
