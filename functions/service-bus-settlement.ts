/**
 * The SDK-type Service Bus trigger value (`sdkBinding: true`): `@azure/functions-extensions-servicebus` turns the
 * host's ModelBindingData into `{ messages, actions }`, where `actions` settle one message through the host's
 * Settlement service. Validated here, because it comes from a preview library through the host.
 *
 * Dead-letter reason and description travel in `propertiesToModify` (an AMQP-encoded map with keys
 * DeadLetterReason / DeadLetterErrorDescription): the library's own reason arguments fail to serialize in
 * 0.2.0-preview (fixed upstream later), while the host merges these two keys into the dead-letter outcome exactly
 * as it does the arguments (the .NET SDK's DeadLetterMessageAsync).
 */
import rhea from 'rhea';
import { z } from 'zod';
import { SluiceError } from '../core/errors';

// Registers the ModelBindingData factory with @azure/functions. A require, not an import: the package's type
// declarations pull in its TypeScript sources, which do not compile under this project's strict settings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('@azure/functions-extensions-servicebus');

/** Service Bus keeps the description in an application property; long texts are cut to stay small. */
export const maxDeadLetterDescriptionLength = 1024;

const messageSchema = z.looseObject({
  body: z.unknown(),
  messageId: z.union([z.string(), z.number()]).optional(),
  sessionId: z.string().optional(),
  lockToken: z.string().min(1),
});

export type SdkMessage = z.infer<typeof messageSchema>;

type Deadletter = (message: SdkMessage, propertiesToModify?: Uint8Array) => Promise<void>;

const contextSchema = z.object({
  messages: z.array(messageSchema),
  actions: z.looseObject({ deadletter: z.custom<Deadletter>((value) => typeof value === 'function') }),
});

export interface SdkMessageBatch {
  messages: SdkMessage[];
  deadletter(message: SdkMessage, reason: string, description: string): Promise<void>;
}

/** Reads the trigger value of a `cardinality: 'many'` SDK-type binding. */
export function parseSdkMessageBatch(value: unknown, functionName: string): SdkMessageBatch {
  const parsed = contextSchema.safeParse(value);
  if (!parsed.success) {
    throw new SluiceError(
      'ConfigInvalid',
      `${functionName}: the trigger value is not a Service Bus message batch with settlement actions: ${z.prettifyError(parsed.error)}. ` +
        'To fix: register the trigger with sdkBinding: true and cardinality: \'many\', and run it on a host that supports SDK-type Service Bus bindings.',
    );
  }
  // The originals, not zod's copies: the actions object is a class instance whose methods use its other members.
  const { messages, actions } = value as z.infer<typeof contextSchema>;
  return {
    messages,
    deadletter: (message, reason, description) => actions.deadletter(message, deadLetterProperties(reason, description)),
  };
}

/** `propertiesToModify` carrying the dead-letter reason and description. */
export function deadLetterProperties(reason: string, description: string): Uint8Array {
  const cut = description.length > maxDeadLetterDescriptionLength ? `${description.slice(0, maxDeadLetterDescriptionLength - 1)}…` : description;
  // rhea's Writer is missing from its type declarations.
  const writer = new (rhea.types as unknown as { Writer: new () => { write(value: unknown): void; toBuffer(): Buffer } }).Writer();
  writer.write(rhea.types.wrap_map({ DeadLetterReason: reason, DeadLetterErrorDescription: cut }));
  return writer.toBuffer();
}
