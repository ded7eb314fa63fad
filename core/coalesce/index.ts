export type { BlobRef, DataRecord, StreamEvent, TimeRange } from './event';
export { blobRefSchema, dataRecordSchema, eventUntilMs, streamEventSchema, timeRangeSchema } from './event';
export type { CoalescedWindow, CoalesceLimits, MergeKeys } from './coalesce';
export { coalesce, compareVersions, countFitting } from './coalesce';
