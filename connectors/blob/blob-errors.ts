/**
 * Storage errors translated once into SluiceError: throttling, timeouts, server errors and network failures
 * are retryable; a failed ETag condition is PreconditionFailed (the blob changed: plan again).
 */
import { SluiceError, type SluiceErrorCode } from '../../core/errors';

interface StorageError {
  statusCode?: number;
  code?: string;
  message?: string;
}

const retryableNodeCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'REQUEST_SEND_ERROR']);

export function translateBlobError(error: unknown, where: string, code: SluiceErrorCode, ids: Record<string, string> = {}): SluiceError {
  if (error instanceof SluiceError) return error;
  const { statusCode, code: errorCode, message } = (error ?? {}) as StorageError;
  const detail = `${message ?? String(error)}${errorCode ? ` (${errorCode}${statusCode ? `, HTTP ${statusCode}` : ''})` : ''}`;
  if (statusCode === 412 || errorCode === 'ConditionNotMet') {
    return new SluiceError('PreconditionFailed', `Blob changed during ${where}: ${detail}. To fix: plan the load again ` +
      'for the blob\'s new version.', { ids, cause: error });
  }
  const retryable = statusCode === undefined
    ? retryableNodeCodes.has(errorCode ?? '')
    : statusCode === 408 || statusCode === 429 || statusCode >= 500;
  const fix = statusCode === 404
    ? 'check the container and blob names.'
    : statusCode === 403 || statusCode === 401
      ? 'grant the app identity Storage Blob Data Contributor on the account (or fix the connection string).'
      : 'the operation is retryable; if it keeps failing, check the storage account\'s health and limits.';
  return new SluiceError(code, `Blob storage failed during ${where}: ${detail}. To fix: ${fix}`, { retryable, ids, cause: error });
}
