export type {
  CommitCounts,
  Election,
  ElectionOptions,
  EventOrigin,
  OpenWindow,
  PendingEvent,
  ReplayRequest,
  StreamCounters,
  StreamState,
  StreamStatus,
  StreamSuspension,
  StreamWindow,
  StreamWorker,
  TakeOptions,
  TakeResult,
} from './types';
export { append, commit, createStreamState, elect, MAX_RECENT_DELIVERY_IDS, MAX_WINDOW_CORRELATION_IDS, renewLease, take } from './machine';
export type { FailOptions, FailResult, ReconcileOptions, ReconcileResult } from './failure';
export { fail, reconcile, resume, suspend } from './failure';
export type { ReplayOptions } from './replay';
export { completeReplay, MAX_QUEUED_REPLAYS, requestReplay } from './replay';
export type { StreamStatusView } from './status';
export { getStreamStatus } from './status';
export type { BackoffPolicy } from './backoff';
export { retryDelayInMs } from './backoff';
export { streamViolations } from './invariants';
export { commitCountsSchema, eventOriginSchema, streamStateSchema } from './schemas';
