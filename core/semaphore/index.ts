export type {
  AcquireOutcome,
  AcquireRequest,
  AcquireResult,
  Grant,
  OwnerStanding,
  ReapResult,
  SemaphoreHolder,
  SemaphoreState,
  SemaphoreTransition,
  SemaphoreWaiter,
  SetCapacityResult,
} from './types';
export {
  acquire,
  availablePermits,
  cancel,
  createSemaphoreState,
  heldPermits,
  nextLeaseExpiryMs,
  reap,
  release,
  renew,
  setCapacity,
  standing,
} from './semaphore';
export { shardFor, shardKey, splitCapacity } from './sharding';
export { semaphoreViolations } from './invariants';
export { acquireRequestSchema, isSemaphoreState, semaphoreStateSchema } from './schemas';
