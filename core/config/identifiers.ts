/** Name patterns shared by the configuration schema. */
import { z } from 'zod';

/** PostgreSQL identifiers Sluice writes unquoted-safe: letter or underscore first, then letters, digits, underscores; at most 63 bytes. */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export const sqlIdentifier = z
  .string()
  .regex(SQL_IDENTIFIER, 'expected a SQL identifier (a letter or "_" first, then letters, digits or "_", at most 63 characters)');

/** Names of config objects (pipelines, semaphores, policies, notification targets). */
export const objectName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'expected a name of letters, digits, "_", "." or "-" (at most 63 characters, not starting with a symbol)');

/** Cosmos DB database and container ids. */
export const cosmosId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, 'expected a Cosmos DB id of letters, digits, "_" or "-" (at most 255 characters)');

/** App setting names (secrets are referenced by setting name, never written in the configuration). */
export const settingName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an app setting name (letters, digits and "_", not starting with a digit)');

export const positiveInt = (what: string) => z.int(`expected an integer >= 1 (${what})`).min(1, `expected an integer >= 1 (${what})`);
