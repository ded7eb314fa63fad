/** Cosmos DB errors translated once into SluiceError; throttling, timeouts and 5xx are retryable. */
import { SluiceError, type SluiceErrorCode } from '../../core/errors';

interface CosmosError {
  code?: number | string;
  statusCode?: number;
  message?: string;
}

export function cosmosStatus(error: unknown): number | undefined {
  const { code, statusCode } = (error ?? {}) as CosmosError;
  if (typeof statusCode === 'number') return statusCode;
  return typeof code === 'number' ? code : undefined;
}

export function isRetryableStatus(status: number | undefined): boolean {
  return status === 408 || status === 429 || status === 449 || (status !== undefined && status >= 500);
}

export function translateCosmosError(error: unknown, where: string, code: SluiceErrorCode, ids: Record<string, string> = {}): SluiceError {
  if (error instanceof SluiceError) return error;
  const status = cosmosStatus(error);
  const message = ((error ?? {}) as CosmosError).message ?? String(error);
  const network = status === undefined && /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up/i.test(message);
  const retryable = isRetryableStatus(status) || network;
  const fix = status === 401 || status === 403
    ? 'grant the app identity the Cosmos DB Built-in Data Contributor role (or fix the key).'
    : status === 404
      ? 'create the database and container first (ensure* functions) and check their names.'
      : retryable
        ? 'the operation is retryable; if it keeps failing, raise the container\'s throughput or lower concurrency.'
        : 'check the document against the container (size, partition key, id).';
  // Cosmos error messages embed request diagnostics; the first line says what went wrong.
  const firstLine = message.split('\n')[0]!.slice(0, 300);
  return new SluiceError(code, `Cosmos DB failed during ${where}: ${firstLine}${status ? ` (HTTP ${status})` : ''}. To fix: ${fix}`,
    { retryable, ids, cause: error });
}
