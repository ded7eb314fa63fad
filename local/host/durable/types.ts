/**
 * Records of the local task hub. History events use the DTFx JSON shape DF replays (PascalCase, integer
 * `EventType`), see docs/reference/durable-host.md §2.2.
 */
export type RuntimeStatus =
  | 'Running'
  | 'Completed'
  | 'ContinuedAsNew'
  | 'Failed'
  | 'Canceled'
  | 'Terminated'
  | 'Pending'
  | 'Suspended';

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

export interface RetryPolicy {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** A task the orchestration waits for, keyed by its history EventId. */
export interface OpenTask {
  kind: 'activity' | 'subOrchestration' | 'timer' | 'retryTimer' | 'entityCall';
  /** For user timers: the final fire time; sub-timers are chained until it is reached. */
  finalFireAtMs?: number;
  /** For tasks with retry: what to reschedule and how far the loop is. */
  retry?: {
    policy: RetryPolicy;
    attempt: number;
    firstAttemptMs: number;
    target: 'activity' | 'subOrchestration';
    name: string;
    input?: string;
    childInstanceId?: string;
  };
}

/** Bookkeeping the engine keeps per execution, to mirror DF's id allocation and check determinism. */
export interface EngineState {
  nextEventId: number;
  /** Signatures of the flattened actions already turned into history, in order. */
  actionSignatures: string[];
  openTasks: Record<string, OpenTask>;
  /** Scheduler ids of the entities locked by this orchestration, and the lock request id. */
  heldLocks: { lockRequestId: string; entityIds: string[] } | null;
}

export interface ParentRef {
  instanceId: string;
  executionId: string;
  taskId: number;
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  version: string;
  executionId: string;
  status: RuntimeStatus;
  /** JSON texts (null when absent). */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdMs: number;
  updatedMs: number;
  parent: ParentRef | null;
  engine: EngineState;
}

export interface EntityRecord {
  entityId: string;
  name: string;
  key: string;
  exists: boolean;
  /** Serialized state (JSON text) or null. */
  state: string | null;
  lockedBy: string | null;
  lastOperationMs: number;
}

export type QueueName = 'orchestration' | 'activity' | 'entity';

/** Body of a message to an orchestration instance. */
export type OrchestrationMessage =
  | { type: 'ExecutionStarted'; executionId: string }
  | { type: 'TaskCompleted'; executionId: string; taskId: number; result: string }
  | { type: 'TaskFailed'; executionId: string; taskId: number; reason: string; details: string }
  | { type: 'SubOrchestrationCompleted'; executionId: string; taskId: number; result: string }
  | { type: 'SubOrchestrationFailed'; executionId: string; taskId: number; reason: string; details: string }
  | { type: 'TimerFired'; executionId: string; timerId: number; fireAtMs: number }
  | { type: 'EventRaised'; name: string; input: string | null }
  | { type: 'Terminate'; reason: string }
  | { type: 'Suspend'; reason: string }
  | { type: 'Resume'; reason: string };

export interface ActivityMessage {
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  /** JSON text of the input; absent when the action had none. */
  input?: string;
}

/** Body of a message to an entity: an operation, a lock request (no `op`), or a lock release. */
export type EntityMessage =
  | {
      type: 'request';
      id: string;
      op?: string;
      signal: boolean;
      input?: string;
      parent?: string;
      parentExecution?: string;
      lockset?: string[];
      pos?: number;
    }
  | { type: 'release'; parent: string; id: string };

export type MessageBody = OrchestrationMessage | ActivityMessage | EntityMessage;

export interface StoredMessage {
  id: number;
  queue: QueueName;
  target: string;
  visibleAtMs: number;
  body: MessageBody;
}

export type NewMessage = Omit<StoredMessage, 'id'>;
