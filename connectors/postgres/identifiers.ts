/**
 * SQL identifiers: validated against a strict pattern first, then quoted with pg's escapeIdentifier. User
 * input never reaches SQL text any other way; values always travel as parameters or COPY data.
 */
import { escapeIdentifier } from 'pg';
import { SluiceError } from '../../core/errors';

/** Lower-case, unquoted-safe identifiers of at most 63 bytes (PostgreSQL's NAMEDATALEN - 1). */
export const identifierPattern = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteIdentifier(name: string): string {
  if (!identifierPattern.test(name)) {
    throw new SluiceError('InvalidArgument',
      `SQL identifier ${JSON.stringify(name)} is not allowed. To fix: use 1-63 characters, lower-case letters, ` +
        'digits and _, starting with a letter or _.');
  }
  return escapeIdentifier(name);
}

/** `"schema"."table"` from two validated identifiers. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}
