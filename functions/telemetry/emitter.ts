/**
 * Emits the telemetry contract (core/telemetry, docs/telemetry.md): every event and metric is validated, written as
 * one structured log line (`<name> <JSON properties>`) and, when `APPLICATIONINSIGHTS_CONNECTION_STRING` is set,
 * sent to Application Insights with the `applicationinsights` TelemetryClient (events -> customEvents, metrics ->
 * customMetrics), authenticated with the managed identity `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` names
 * (functions/telemetry/authentication.ts). The client uses its own providers (`useGlobalProviders: false`): it instruments nothing else in
 * the process. The SDK is loaded only when a connection string is set. The connection string is never logged.
 */
import { app } from '@azure/functions';
import type { TelemetryClient } from 'applicationinsights';
import { SluiceError } from '../../core/errors';
import { authenticationStringSetting, ingestionCredential } from './authentication';
import { telemetryEventSchema, telemetryMetricSchema, type TelemetryEvent, type TelemetryMetric } from '../../core/telemetry';

export const connectionStringSetting = 'APPLICATIONINSIGHTS_CONNECTION_STRING';

/** The part of an InvocationContext the emitter logs through. */
export interface TelemetryLog {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

/** Events an operator acts on are logged as warnings. */
const warningEvents = new Set<TelemetryEvent['name']>(['Sluice.Stream.Suspended', 'Sluice.Load.Failed']);

let client: Promise<TelemetryClient | null> | undefined;

function appInsights(): Promise<TelemetryClient | null> {
  client ??= (async () => {
    const connectionString = process.env[connectionStringSetting]?.trim();
    if (connectionString === undefined || connectionString === '') return null;
    const { TelemetryClient } = await import('applicationinsights');
    const telemetry = new TelemetryClient(connectionString, { useGlobalProviders: false });
    const credential = ingestionCredential(process.env[authenticationStringSetting]);
    if (credential !== undefined) telemetry.config.aadTokenCredential = credential;
    return telemetry;
  })();
  return client;
}

function validEvent(event: TelemetryEvent): TelemetryEvent {
  const parsed = telemetryEventSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new SluiceError('InvalidArgument', `Telemetry event ${event.name} invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. ` +
    'To fix: emit the properties docs/telemetry.md lists for it.');
}

/** Logs and sends `events`; an invalid event throws before anything of the batch is emitted. */
export async function emitEvents(events: readonly TelemetryEvent[], log: TelemetryLog): Promise<void> {
  const valid = events.map(validEvent);
  for (const event of valid) {
    const line = JSON.stringify(event.properties);
    if (warningEvents.has(event.name)) log.warn(event.name, line);
    else log.log(event.name, line);
  }
  const ai = await appInsights();
  for (const event of valid) ai?.trackEvent({ name: event.name, properties: event.properties });
}

/** Logs the gauges as one line and sends each; App Insights aggregates repeated values per dimension set (max kept). */
export async function emitMetrics(metrics: readonly TelemetryMetric[], log: TelemetryLog): Promise<void> {
  for (const metric of metrics) {
    const parsed = telemetryMetricSchema.safeParse(metric);
    if (!parsed.success) {
      throw new SluiceError('InvalidArgument', `Telemetry metric ${metric.name} invalid: ${parsed.error.issues[0]?.message ?? 'invalid'}. To fix: emit the dimensions docs/telemetry.md lists.`);
    }
  }
  log.log('sluice.metrics', JSON.stringify(metrics));
  const ai = await appInsights();
  for (const metric of metrics) ai?.trackMetric({ name: metric.name, value: metric.value, properties: metric.dimensions });
}

/**
 * Sends what the SDK has batched (events go out by themselves within seconds, metrics once a minute). Failures to
 * reach App Insights are the SDK's to log and retry; they never fail the caller.
 */
export async function flushTelemetry(): Promise<void> {
  const ai = await appInsights();
  await ai?.flush();
}

// Sends what is still batched and stops the SDK's export timers when the worker shuts down.
app.hook.appTerminate(async () => {
  const ai = await client;
  client = undefined;
  await ai?.flush();
  await ai?.shutdown();
});
