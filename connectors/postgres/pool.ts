/**
 * PostgreSQL pool factory. Locally the connection string carries the password; on Azure (Entra ID auth) pass
 * `password` as a callback returning a fresh access token: pg calls it for every new connection, so tokens
 * (about an hour long) are renewed as the pool opens connections, e.g.
 *
 *   const credential = new DefaultAzureCredential();
 *   createPgPool({ connectionString: 'postgres://app-identity@server.postgres.database.azure.com/sluice?sslmode=require',
 *     password: async () => (await credential.getToken('https://ossrdbms-aad.database.windows.net/.default')).token });
 */
import { Pool, type PoolConfig } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { SluiceError } from '../../core/errors';

export interface CreatePgPoolOptions {
  connectionString: string;
  /** Overrides the connection string's password; a callback is called per new connection (Entra tokens). */
  password?: string | (() => Promise<string>);
  /** Pool size. @default 10 */
  max?: number;
  /** @default 10000 */
  connectionTimeoutInMs?: number;
  /** Identifies Sluice connections in pg_stat_activity. @default 'sluice' */
  applicationName?: string;
  /** Receives errors of idle connections (e.g. a server restart); the pool replaces them on the next checkout. */
  onIdleError?: (error: Error) => void;
}

export function createPgPool(options: CreatePgPoolOptions): Pool {
  if (!/^postgres(ql)?:\/\//.test(options.connectionString)) {
    throw new SluiceError('ConfigInvalid',
      'PostgreSQL connection string must start with postgres:// or postgresql://. To fix: set SLUICE_PG_CONNECTION_STRING.');
  }
  // pg lets a connection string's fields win over explicit ones, so a password callback only takes effect when
  // the string is parsed here (with pg's own parser) and the password set afterwards.
  const config: PoolConfig = {
    ...(options.password === undefined
      ? { connectionString: options.connectionString }
      : { ...parseIntoClientConfig(options.connectionString), password: options.password }),
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutInMs ?? 10000,
    application_name: options.applicationName ?? 'sluice',
  };
  const pool = new Pool(config);
  // Without a listener an idle client losing its connection would crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}
