export {
  countText,
  metricNames,
  reasonText,
  telemetryBatchSchema,
  telemetryEventSchema,
  telemetryMetricSchema,
  type TelemetryBatch,
  type TelemetryEvent,
  type TelemetryEventName,
  type TelemetryMetric,
} from './contract';
export { semaphoreMetrics, streamCountMetrics } from './metrics';
export {
  loadCompletedEvent,
  loadFailedEvent,
  permitGrantedEvent,
  streamResumedEvent,
  streamSuspendedEvent,
  windowCommittedEvent,
  type WindowCommittedFacts,
} from './events';
