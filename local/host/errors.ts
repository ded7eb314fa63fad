/**
 * Errors of the local host. `code` is a closed union that tests match on; messages say what failed, where, and
 * "To fix: ...". Name-based check, as the app's SluiceError, so it survives module copies.
 */
export type LocalHostErrorCode =
  | 'AppLoadFailed'
  | 'RegistrationRejected'
  | 'FunctionNotFound'
  | 'InvocationCancelled'
  | 'DurableHostMissing'
  | 'ConfigInvalid'
  | 'TriggerFailed';

export class LocalHostError extends Error {
  override readonly name = 'LocalHostError';
  readonly code: LocalHostErrorCode;

  constructor(code: LocalHostErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

export function isLocalHostError(value: unknown): value is LocalHostError {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'LocalHostError';
}
