/**
 * The one error factory of the Service Bus emulator. Every failure the SDK can see carries the AMQP error
 * condition (and, for `$management` replies, the status code) that the real service uses, so the unmodified
 * `@azure/service-bus` SDK maps it to the same `ServiceBusError.code` as on Azure.
 */
export type AmqpCondition =
  | 'amqp:not-found'
  | 'amqp:not-implemented'
  | 'amqp:invalid-field'
  | 'amqp:internal-error'
  | 'amqp:resource-limit-exceeded'
  | 'amqp:link:message-size-exceeded'
  | 'com.microsoft:timeout'
  | 'com.microsoft:message-lock-lost'
  | 'com.microsoft:session-lock-lost'
  | 'com.microsoft:session-cannot-be-locked'
  | 'com.microsoft:message-not-found'
  | 'com.microsoft:argument-error';

/** An error the emulator reports over AMQP: a link detach, a rejected delivery or a `$management` reply. */
export class ServiceBusEmulatorError extends Error {
  override readonly name = 'ServiceBusEmulatorError';
  constructor(
    readonly condition: AmqpCondition,
    /** HTTP-like status used on `$management` replies, as the real service sends it. */
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }

  /** The AMQP error object rhea puts on a detach or a settled delivery. */
  toAmqpError(): { condition: string; description: string } {
    return { condition: this.condition, description: this.message };
  }
}

export function isServiceBusEmulatorError(e: unknown): e is ServiceBusEmulatorError {
  return e instanceof Error && e.name === 'ServiceBusEmulatorError';
}

function trackingSuffix(nowMs: number): string {
  return ` TrackingId:${crypto.randomUUID()}, SystemTracker:sluice-emulator, Timestamp:${new Date(nowMs).toISOString()}`;
}

/** Builds each error with the real service's condition, status and (where the SDK parses it) wording. */
export const errors = {
  entityNotFound(address: string, nowMs: number): ServiceBusEmulatorError {
    // The SDK recognises "The messaging entity ... could not be found" and reports MessagingEntityNotFound.
    return new ServiceBusEmulatorError('amqp:not-found', 404,
      `The messaging entity '${address}' could not be found. To fix: declare it in the emulator's queues config.${trackingSuffix(nowMs)}`);
  },
  sessionCannotBeLocked(entity: string, sessionId: string, nowMs: number): ServiceBusEmulatorError {
    return new ServiceBusEmulatorError('com.microsoft:session-cannot-be-locked', 410,
      `The requested session '${sessionId}' cannot be accepted. It may be locked by another receiver on '${entity}'.${trackingSuffix(nowMs)}`);
  },
  sessionLockLost(entity: string, sessionId: string, nowMs: number): ServiceBusEmulatorError {
    return new ServiceBusEmulatorError('com.microsoft:session-lock-lost', 410,
      `The session lock has expired on the MessageSession '${sessionId}' of '${entity}'. Accept a new MessageSession.${trackingSuffix(nowMs)}`);
  },
  messageLockLost(entity: string, nowMs: number): ServiceBusEmulatorError {
    return new ServiceBusEmulatorError('com.microsoft:message-lock-lost', 410,
      `The lock supplied is invalid. Either the lock expired, or the message has already been removed from '${entity}'.${trackingSuffix(nowMs)}`);
  },
  messageNotFound(entity: string, what: string, nowMs: number): ServiceBusEmulatorError {
    return new ServiceBusEmulatorError('com.microsoft:message-not-found', 404,
      `Failed to lock one or more specified messages: ${what} not found in '${entity}'.${trackingSuffix(nowMs)}`);
  },
  noSessionAvailable(entity: string, nowMs: number): ServiceBusEmulatorError {
    return new ServiceBusEmulatorError('com.microsoft:timeout', 408,
      `The operation did not complete within the allocated time: no unlocked session with messages on '${entity}'.${trackingSuffix(nowMs)}`);
  },
  quotaExceeded(entity: string, maxSizeInMegabytes: number, nowMs: number): ServiceBusEmulatorError {
    return new ServiceBusEmulatorError('amqp:resource-limit-exceeded', 403,
      `The maximum entity size has been reached or exceeded for '${entity}' (${maxSizeInMegabytes} MB). To fix: receive messages or raise maxSizeInMegabytes.${trackingSuffix(nowMs)}`);
  },
  messageTooLarge(sizeInBytes: number, maxInBytes: number, nowMs: number): ServiceBusEmulatorError {
    return new ServiceBusEmulatorError('amqp:link:message-size-exceeded', 413,
      `The received message (size ${sizeInBytes} bytes) exceeds the limit (${maxInBytes} bytes). To fix: send smaller messages.${trackingSuffix(nowMs)}`);
  },
  badRequest(what: string, nowMs: number): ServiceBusEmulatorError {
    return new ServiceBusEmulatorError('com.microsoft:argument-error', 400, `${what}${trackingSuffix(nowMs)}`);
  },
  /** Features the emulator does not implement fail loudly, naming the feature and the way around it. */
  notSupported(feature: string, workaround: string): ServiceBusEmulatorError {
    return new ServiceBusEmulatorError('amqp:not-implemented', 501,
      `The Sluice Service Bus emulator does not support ${feature}. To fix: ${workaround}`);
  },
};
