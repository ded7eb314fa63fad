/**
 * Shared plumbing of the entities: input validation and typed replies.
 *
 * Entity operations answer with an `EntityReply` instead of throwing a `SluiceError`: Durable serialises a thrown
 * error with JSON.stringify, which drops its message, so the caller would see "{}". A reply keeps the code and
 * the message, and the state is never written when an operation fails (the core functions are pure).
 * Anything else thrown is a bug and propagates as an entity failure.
 */
import type { z } from 'zod';
import { isSluiceError, SluiceError, type SluiceErrorCode } from '../core/errors';

export interface EntityFailure {
  code: SluiceErrorCode;
  message: string;
  retryable: boolean;
}

export type EntityReply<T> = { ok: true; value: T } | { ok: false; error: EntityFailure };

/** Parses an operation's input, turning zod issues into an `InvalidArgument` naming the entity, op and path. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? '(input)' : issue.path.join('.');
  throw new SluiceError(
    'InvalidArgument',
    `${where}: input invalid at "${path}": ${issue?.message ?? 'invalid'}. To fix: send the input documented for this operation.`,
  );
}

/** Runs one operation and turns a `SluiceError` into a failed reply; other errors propagate. */
export function reply<T>(run: () => T): EntityReply<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (!isSluiceError(error)) throw error;
    return { ok: false, error: { code: error.code, message: error.message, retryable: error.retryable } };
  }
}

/** Throws the failure of a reply as a `SluiceError` again (caller side), or returns its value. */
export function unwrapReply<T>(result: EntityReply<T>, where: string): T {
  if (result.ok) return result.value;
  throw new SluiceError(result.error.code, `${where}: ${result.error.message}`, { retryable: result.error.retryable });
}

export function unknownOperation(entity: string, operation: string, known: readonly string[]): SluiceError {
  return new SluiceError(
    'InvalidArgument',
    `${entity}: unknown operation "${operation}". To fix: use one of ${known.join(', ')}.`,
  );
}
