import { EventType, type HistoryEvent, type InstanceRecord } from '../types';

const EVENT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(EventType).map(([k, v]) => [v, k]));

/** `yyyy-MM-ddTHH:mm:ssZ`, no fractional seconds, as the extension writes status times (§5). */
export function statusTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const parseJson = (text: string | null): unknown => (text === null ? null : (JSON.parse(text) as unknown));

export interface StatusOptions {
  showInput: boolean;
  showHistory: boolean;
  showHistoryOutput: boolean;
}

/** Orchestration status JSON of the HTTP API (§5). */
export function statusPayload(record: InstanceRecord, history: HistoryEvent[] | undefined, options: StatusOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.status,
    input: options.showInput ? parseJson(record.input) : null,
    customStatus: parseJson(record.customStatus),
    output: parseJson(record.output),
    createdTime: statusTime(record.createdMs),
    lastUpdatedTime: statusTime(record.updatedMs),
  };
  if (options.showHistory && history !== undefined && record.status !== 'Pending') {
    body['historyEvents'] = shapeHistory(history, options);
  }
  return body;
}

/**
 * History as the extension shows it: event names, no replay markers, scheduling events merged into their
 * completions (FunctionName, ScheduledTime), results only with showHistoryOutput.
 */
function shapeHistory(history: HistoryEvent[], options: StatusOptions): Array<Record<string, unknown>> {
  const scheduled = new Map<number, HistoryEvent>();
  const out: Array<Record<string, unknown>> = [];
  for (const e of history) {
    const type = e.EventType;
    if (type === EventType.OrchestratorStarted || type === EventType.OrchestratorCompleted) continue;
    if (type === EventType.TaskScheduled || type === EventType.SubOrchestrationInstanceCreated) {
      scheduled.set(e.EventId, e);
      continue;
    }
    const { EventType: _type, EventId: _id, IsPlayed: _played, ...rest } = e;
    const shaped: Record<string, unknown> = { EventType: EVENT_NAMES[type] ?? String(type), ...rest };
    if ('TaskScheduledId' in shaped) {
      const origin = scheduled.get(shaped['TaskScheduledId'] as number);
      delete shaped['TaskScheduledId'];
      if (origin !== undefined) {
        shaped['FunctionName'] = origin['Name'];
        shaped['ScheduledTime'] = origin.Timestamp;
        if (options.showInput && origin['Input'] !== undefined) shaped['Input'] = origin['Input'];
      }
    }
    if (type === EventType.ExecutionStarted) {
      shaped['FunctionName'] = e['Name'];
      for (const k of ['Name', 'OrchestrationInstance', 'ParentInstance', 'Version', 'Tags']) delete shaped[k];
    }
    if (type === EventType.ExecutionCompleted) shaped['OrchestrationStatus'] = e['OrchestrationStatus'] === 1 ? 'Completed' : 'Failed';
    if (type === EventType.TimerFired) delete shaped['TimerId'];
    if ('Result' in shaped) {
      if (options.showHistoryOutput && typeof shaped['Result'] === 'string') shaped['Result'] = safeParse(shaped['Result']);
      else delete shaped['Result'];
    }
    if (!options.showInput) delete shaped['Input'];
    out.push(shaped);
  }
  return out;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
