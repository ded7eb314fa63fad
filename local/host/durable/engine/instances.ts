import type { InstanceRecord, ParentRef } from '../types';
import type { EngineContext } from './engine-context';

export interface NewInstanceOptions {
  instanceId: string;
  name: string;
  version: string;
  input: string | null;
  nowMs: number;
  parent: ParentRef | null;
}

/** A fresh execution record, Pending until its ExecutionStarted message is processed. */
export function newInstanceRecord(ctx: EngineContext, options: NewInstanceOptions): InstanceRecord {
  return {
    instanceId: options.instanceId,
    name: options.name,
    version: options.version,
    executionId: ctx.newGuid().replace(/-/g, ''),
    status: 'Pending',
    input: options.input,
    output: null,
    customStatus: null,
    createdMs: options.nowMs,
    updatedMs: options.nowMs,
    parent: options.parent,
    engine: { nextEventId: 0, actionSignatures: [], openTasks: {}, heldLocks: null },
  };
}
