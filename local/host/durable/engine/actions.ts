import type { RetryPolicy } from '../types';

/** DF action JSON (docs/reference/durable-host.md §2.5), the fields the engine reads. */
export interface DfAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  version?: string;
  retryOptions?: RetryPolicy;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  operation?: string;
  lockRequestId?: string;
  lockSet?: Array<{ name: string; key: string }>;
  compoundActions?: DfAction[];
}

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

/** The orchestrator's state returned by DF (§2.4). */
export interface DfOrchestratorState {
  isDone: boolean;
  actions: DfAction[][];
  output?: unknown;
  customStatus?: unknown;
  error?: string;
  schemaVersion?: number;
}

/** Leaf actions in scheduling order: DF assigns ids to compound children depth-first (§2.3). */
export function flattenActions(actions: DfAction[][]): DfAction[] {
  const out: DfAction[] = [];
  const visit = (a: DfAction): void => {
    if (a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny) {
      for (const child of a.compoundActions ?? []) visit(child);
    } else {
      out.push(a);
    }
  };
  for (const step of actions) for (const a of step) visit(a);
  return out;
}

/**
 * What must stay the same for an action on replay: its kind and target. Inputs are left out (DTFx does
 * not compare them either), and so is a timer's `isCanceled` flag, which legitimately changes.
 */
export function actionSignature(a: DfAction): string {
  const target = a.functionName ?? a.instanceId ?? a.externalEventName ?? '';
  const detail = a.operation ?? (a.lockSet ? a.lockSet.map((e) => `${e.name}@${e.key}`).join(',') : '');
  return `${a.actionType}:${target}:${detail}`;
}

export function describeAction(signature: string): string {
  const [type, target, detail] = signature.split(':');
  const names: Record<string, string> = Object.fromEntries(Object.entries(ActionType).map(([k, v]) => [String(v), k]));
  return `${names[type ?? ''] ?? `action ${type}`}${target ? ` '${target}'` : ''}${detail ? ` (${detail})` : ''}`;
}

/** Entity scheduler id `@<lower-cased name>@<key>`. */
export function entitySchedulerId(name: string, key: string): string {
  return `@${name.toLowerCase()}@${key}`;
}

export function parseEntitySchedulerId(id: string): { name: string; key: string } {
  const second = id.indexOf('@', 1);
  return { name: id.slice(1, second), key: id.slice(second + 1) };
}

/** JSON text for an action input: DF already stringified string inputs (§2.5); absent stays absent. */
export function inputText(input: unknown): string | undefined {
  if (input === undefined) return undefined;
  return typeof input === 'string' ? input : JSON.stringify(input);
}

/** Raw-JSON inputs (sub-orchestration, entity) are re-serialized as is. */
export function rawInputText(input: unknown): string | undefined {
  return input === undefined ? undefined : JSON.stringify(input);
}

/** .NET TimeSpan text `d.hh:mm:ss` as DF parses it with moment. */
export function toTimeSpan(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86400);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor((totalSeconds % 86400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  return `${days}.${pad(h)}:${pad(m)}:${pad(totalSeconds % 60)}`;
}

/** DTFx retry delay after attempt `attempt` (1-based) failed. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const delay = policy.firstRetryIntervalInMilliseconds * Math.pow(policy.backoffCoefficient ?? 1, attempt - 1);
  const max = policy.maxRetryIntervalInMilliseconds;
  return max !== undefined && max > 0 ? Math.min(delay, max) : delay;
}
