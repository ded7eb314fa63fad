/**
 * PostgreSQL and network errors translated once into SluiceError, with `retryable` decided by SQLSTATE class.
 */
import { SluiceError } from '../../core/errors';

/** SQLSTATE classes and codes where another attempt can succeed (connection loss, contention, shutdown). */
const retryableClasses = ['08', '53', '57'];
const retryableCodes = new Set(['40001', '40P01', '55P03']);
const retryableNodeCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

interface DriverError {
  code?: string;
  message?: string;
}

export function isRetryablePgError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as DriverError;
  if (typeof code === 'string') {
    if (retryableNodeCodes.has(code) || retryableCodes.has(code)) return true;
    if (code.length === 5 && retryableClasses.includes(code.slice(0, 2))) return true;
  }
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

/** Wraps a driver error; `where` names the operation and objects (e.g. `COPY into "sluice_staging"."s_..."`). */
export function translatePgError(error: unknown, where: string, ids: Record<string, string> = {}): SluiceError {
  if (error instanceof SluiceError) return error;
  const { code, message } = (error ?? {}) as DriverError;
  const retryable = isRetryablePgError(error);
  const fix = retryable
    ? 'the operation is retryable; if it keeps failing, check that the database is reachable and not overloaded.'
    : code?.startsWith('28')
      ? 'check the credentials in the connection string or the Entra token callback.'
      : code?.startsWith('42')
        ? 'check the table configuration against the database (names, types, permissions).'
        : 'check the data and the table configuration.';
  return new SluiceError('SinkFailed',
    `PostgreSQL failed during ${where}: ${message ?? String(error)}${code ? ` (SQLSTATE/code ${code})` : ''}. To fix: ${fix}`,
    { retryable, ids, cause: error });
}
