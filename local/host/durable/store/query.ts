import type { EntityRecord, InstanceRecord } from '../types';
import type { EntityQuery, InstanceQuery } from './durable-store';

/** Filter shared by the in-memory store (and used to document the semantics the SQL store implements). */
export function matchesInstance(record: InstanceRecord, query: InstanceQuery): boolean {
  if (query.instanceIdPrefix !== undefined && !record.instanceId.startsWith(query.instanceIdPrefix)) return false;
  if (query.createdFromMs !== undefined && record.createdMs < query.createdFromMs) return false;
  if (query.createdToMs !== undefined && record.createdMs > query.createdToMs) return false;
  if (query.statuses !== undefined && query.statuses.length > 0 && !query.statuses.includes(record.status)) return false;
  if (query.afterInstanceId !== undefined && record.instanceId <= query.afterInstanceId) return false;
  return true;
}

export function matchesEntity(record: EntityRecord, query: EntityQuery): boolean {
  if (query.name !== undefined && record.name !== query.name) return false;
  if (query.lastOperationFromMs !== undefined && record.lastOperationMs < query.lastOperationFromMs) return false;
  if (query.lastOperationToMs !== undefined && record.lastOperationMs > query.lastOperationToMs) return false;
  if (query.afterEntityId !== undefined && record.entityId <= query.afterEntityId) return false;
  return true;
}
