/**
 * The one error class of Sluice. `code` is a closed union that callers and tests match on; `retryable`
 * tells activities and orchestrators whether another attempt can help. Messages say what failed, where,
 * and "To fix: ...".
 */
export type SluiceErrorCode =
  | 'ConfigInvalid'
  | 'MessageInvalid'
  | 'StreamSuspended'
  | 'StreamNotFound'
  | 'SemaphoreNotFound'
  | 'PermitLeaseExpired'
  | 'StaleWorker'
  | 'ChunkRejected'
  | 'RejectThresholdExceeded'
  | 'SinkFailed'
  | 'SourceFailed'
  | 'PreconditionFailed'
  | 'InvalidArgument'
  | 'ConfigNotFound'
  | 'WindowNotFound'
  | 'ReplayNotFound';

export interface SluiceErrorOptions {
  /** Whether retrying the same operation may succeed. @default false */
  retryable?: boolean;
  /** Ids involved (streamId, semaphore, owner, loadId, ...), logged as structured properties. */
  ids?: Record<string, string>;
  cause?: unknown;
}

export class SluiceError extends Error {
  override readonly name = 'SluiceError';
  readonly code: SluiceErrorCode;
  readonly retryable: boolean;
  readonly ids: Record<string, string>;

  constructor(code: SluiceErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.ids = options.ids ?? {};
  }
}

/** Name-based check: works across module copies and after JSON round trips through Durable. */
export function isSluiceError(value: unknown): value is SluiceError {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'SluiceError';
}
