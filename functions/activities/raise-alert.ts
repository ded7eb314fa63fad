/**
 * `raiseAlert` activity: a stream suspended after repeated failures. Emits `Sluice.Stream.Suspended`
 * (docs/telemetry.md: a warning log line, and a custom event the "stream suspended" alert rule matches).
 * Delivery to configured notification targets (webhook, Service Bus) is not wired yet (see docs/stream-worker.md).
 */
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../../core/errors';
import { streamSuspendedEvent } from '../../core/telemetry';
import { emitEvents } from '../telemetry/emitter';

export const raiseAlertActivityName = 'raiseAlert';
export const streamSuspendedEventName = 'Sluice.Stream.Suspended';

export const raiseAlertInputSchema = z
  .object({
    streamId: z.string().min(1),
    pipeline: z.string().min(1),
    workerId: z.string().min(1),
    windowId: z.string().min(1),
    consecutiveFailures: z.number().int().positive(),
    error: z.string(),
    atMs: z.number().int().nonnegative(),
    /** Correlation ids of the failed window's events. */
    correlationIds: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type RaiseAlertInput = z.infer<typeof raiseAlertInputSchema>;

export interface RaiseAlertResult {
  event: typeof streamSuspendedEventName;
}

export async function raiseAlert(rawInput: unknown, context: InvocationContext): Promise<RaiseAlertResult> {
  const parsed = raiseAlertInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw new SluiceError('InvalidArgument', `${raiseAlertActivityName}: input invalid: ${parsed.error.issues[0]?.message ?? 'invalid'}. To fix: pass the RaiseAlertInput fields.`);
  }
  const alert = parsed.data;
  const reason = `window ${alert.windowId} failed ${alert.consecutiveFailures} time(s) in a row; last error: ${alert.error}`;
  await emitEvents([streamSuspendedEvent({
    streamId: alert.streamId,
    pipeline: alert.pipeline,
    reason,
    windowId: alert.windowId,
    ...(alert.correlationIds === undefined ? {} : { correlationIds: alert.correlationIds }),
  })], context);
  return { event: streamSuspendedEventName };
}

df.app.activity(raiseAlertActivityName, { handler: raiseAlert });
