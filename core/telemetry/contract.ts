/**
 * The telemetry contract of docs/telemetry.md as code: the custom events and metrics the workbook and the alert
 * rules query, with their required properties. Every emitter validates against these schemas, so a renamed or
 * missing property fails where it is emitted instead of leaving a workbook part silently empty.
 * Property values are strings (Application Insights stores custom dimensions as strings).
 */
import { z } from 'zod';

const text = z.string().min(1);
/** A non-negative integer carried as its decimal string. */
const count = z.string().regex(/^\d+$/, 'expected a non-negative integer as a string');

/** Correlation of the events a window covers (docs/telemetry.md "Correlation"): optional on every event. */
const correlation = { correlationId: text.optional(), correlationIds: text.optional() };

export const telemetryEventSchema = z.discriminatedUnion('name', [
  z.object({
    name: z.literal('Sluice.Stream.Suspended'),
    properties: z.object({ streamId: text, pipeline: text, reason: text, windowId: text.optional(), ...correlation }).strict(),
  }).strict(),
  z.object({
    name: z.literal('Sluice.Stream.Resumed'),
    properties: z.object({ streamId: text, pipeline: text }).strict(),
  }).strict(),
  z.object({
    name: z.literal('Sluice.Window.Committed'),
    properties: z.object({ streamId: text, pipeline: text, windowId: text, events: count, lagMs: count, ...correlation }).strict(),
  }).strict(),
  z.object({
    name: z.literal('Sluice.Permit.Granted'),
    properties: z.object({ semaphore: text, owner: text, permits: count, waitedMs: count, shard: text.optional() }).strict(),
  }).strict(),
  z.object({
    name: z.literal('Sluice.Load.Completed'),
    properties: z.object({ loadId: text, pipeline: text, rows: count, rejectedRows: count, durationMs: count }).strict(),
  }).strict(),
  z.object({
    name: z.literal('Sluice.Load.Failed'),
    properties: z.object({ loadId: text, pipeline: text, reason: text }).strict(),
  }).strict(),
]);

export type TelemetryEvent = z.infer<typeof telemetryEventSchema>;
export type TelemetryEventName = TelemetryEvent['name'];

export const metricNames = ['sluice.streams.count', 'sluice.permits.count', 'sluice.capacity.count', 'sluice.waiters.count'] as const;

export const telemetryMetricSchema = z.object({
  name: z.enum(metricNames),
  value: z.number().finite().min(0),
  dimensions: z.record(z.string(), text),
}).strict();

export type TelemetryMetric = z.infer<typeof telemetryMetricSchema>;

/** One batch of events handed to the `trackTelemetry` activity. */
export const telemetryBatchSchema = z.object({ events: z.array(telemetryEventSchema).min(1).max(100) }).strict();

export type TelemetryBatch = z.infer<typeof telemetryBatchSchema>;

/** A whole, non-negative number as the contract's string (durations can come out fractional or, by clock skew, negative). */
export function countText(value: number): string {
  return String(Math.max(0, Math.round(Number.isFinite(value) ? value : 0)));
}

/** Property values are capped: App Insights truncates custom dimensions at 8 KiB anyway, and a reason is read by people. */
export function reasonText(value: string, max = 2_000): string {
  const trimmed = value.trim() === '' ? '(no reason given)' : value.trim();
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, max - 1)}…`;
}
