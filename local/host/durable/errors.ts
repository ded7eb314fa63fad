/**
 * Errors of the local Durable host. Codes name the condition the way the Azure extension reports it, so
 * callers (HTTP mapping, tests) match on `code`, never on message text.
 */
export type DurableHostErrorCode =
  | 'InstanceNotFound'
  | 'InstanceAlreadyExists'
  | 'InstanceNotRunning'
  | 'FunctionNotFound'
  | 'InvalidArgument'
  | 'NotSupported'
  | 'NonDeterministicOrchestration';

export class DurableHostError extends Error {
  override readonly name = 'DurableHostError';
  constructor(
    readonly code: DurableHostErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isDurableHostError(value: unknown): value is DurableHostError {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'DurableHostError';
}
