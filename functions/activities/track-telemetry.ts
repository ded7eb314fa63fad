/**
 * `trackTelemetry` activity: orchestrations replay, so they never emit telemetry themselves; they hand the
 * contract's events (docs/telemetry.md) to this activity, which logs and sends them once per execution of the
 * activity (a retried or re-run activity may send an event twice; counts in the workbook are at-least-once).
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { SluiceError } from '../../core/errors';
import { telemetryBatchSchema, type TelemetryBatch } from '../../core/telemetry';
import { emitEvents } from '../telemetry/emitter';

export const trackTelemetryActivityName = 'trackTelemetry';

export type TrackTelemetryInput = TelemetryBatch;

export async function trackTelemetry(rawInput: unknown, context: InvocationContext): Promise<{ emitted: number }> {
  const parsed = telemetryBatchSchema.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('InvalidArgument', `${trackTelemetryActivityName}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. ` +
      'To fix: pass { events } with the properties docs/telemetry.md lists.');
  }
  await emitEvents(parsed.data.events, context);
  return { emitted: parsed.data.events.length };
}

df.app.activity(trackTelemetryActivityName, { handler: trackTelemetry });
