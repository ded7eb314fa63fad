/**
 * `raiseAlert` activity: a stream suspended after repeated failures. Logged as the error event
 * `Sluice.Stream.Suspended` with the ids as properties, which Application Insights alert rules match.
 * Delivery to configured notification targets (webhook, Service Bus) is not wired yet (see docs/stream-worker.md).
 */
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../../core/errors';

export const raiseAlertActivityName = 'raiseAlert';
export const streamSuspendedEventName = 'Sluice.Stream.Suspended';

export const raiseAlertInputSchema = z
  .object({
    streamId: z.string().min(1),
    workerId: z.string().min(1),
    windowId: z.string().min(1),
    consecutiveFailures: z.number().int().positive(),
    error: z.string(),
    atMs: z.number().int().nonnegative(),
  })
  .strict();

export type RaiseAlertInput = z.infer<typeof raiseAlertInputSchema>;

export interface RaiseAlertResult {
  event: typeof streamSuspendedEventName;
}

export function raiseAlert(rawInput: unknown, context: InvocationContext): RaiseAlertResult {
  const parsed = raiseAlertInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw new SluiceError('InvalidArgument', `${raiseAlertActivityName}: input invalid: ${parsed.error.issues[0]?.message ?? 'invalid'}. To fix: pass the RaiseAlertInput fields.`);
  }
  const alert = parsed.data;
  context.error(streamSuspendedEventName, {
    streamId: alert.streamId,
    workerId: alert.workerId,
    windowId: alert.windowId,
    consecutiveFailures: alert.consecutiveFailures,
    error: alert.error,
    atMs: alert.atMs,
  });
  return { event: streamSuspendedEventName };
}

df.app.activity(raiseAlertActivityName, { handler: raiseAlert });
