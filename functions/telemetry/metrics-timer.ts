/**
 * `telemetryMetrics` timer (every minute unless `SLUICE_METRICS_SCHEDULE` says otherwise): reads the stream and
 * semaphore entities and emits the gauges of docs/telemetry.md (`sluice.streams.count` per status, and per
 * semaphore/shard `sluice.permits.count`, `sluice.capacity.count`, `sluice.waiters.count`), then flushes.
 */
import { app, type InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { ENV_KEYS } from '../../core/config';
import { semaphoreMetrics, streamCountMetrics, type TelemetryMetric } from '../../core/telemetry';
import { semaphoreEntityName } from '../../entities/semaphore-operations';
import { streamEntityName } from '../../entities/stream-operations';
import { durableClientInput, listAllEntities } from '../durable-entities';
import { semaphoreStateOf } from '../semaphore-views';
import { emitMetrics, flushTelemetry } from './emitter';

export const telemetryMetricsFunctionName = 'telemetryMetrics';

/** Streams can be tens of thousands; their full state is not needed here, only the status. */
const streamStatusSchema = z.looseObject({ status: z.enum(['idle', 'running', 'suspended']) });
const maxStreams = 1_000_000;

export async function collectGauges(context: InvocationContext): Promise<TelemetryMetric[]> {
  const [streams, semaphores] = await Promise.all([
    listAllEntities(context, streamEntityName, maxStreams),
    listAllEntities(context, semaphoreEntityName),
  ]);
  const statuses = streams.flatMap((entity) => {
    const parsed = streamStatusSchema.safeParse(entity.state);
    if (parsed.success) return [parsed.data.status];
    context.warn('sluice:telemetry stream state without a status, not counted', JSON.stringify({ streamId: entity.key }));
    return [];
  });
  return [...streamCountMetrics(statuses), ...semaphoreMetrics(semaphores.map((e) => ({ key: e.key, state: semaphoreStateOf(e.key, e.state) })))];
}

export async function emitGauges(_timer: unknown, context: InvocationContext): Promise<void> {
  await emitMetrics(await collectGauges(context), context);
  await flushTelemetry();
}

app.timer(telemetryMetricsFunctionName, {
  schedule: process.env[ENV_KEYS.metricsSchedule]?.trim() || '0 * * * * *',
  extraInputs: [durableClientInput],
  handler: emitGauges,
});
