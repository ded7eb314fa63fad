/** Drives a registered entity with Durable entity batches (durable-host.md section 3) and decodes the reply. */
import type { LoadedApp } from './durable-app';

export interface BatchOperation {
  name: string;
  input?: unknown;
}

export interface BatchOutcome<S> {
  exists: boolean;
  state: S | undefined;
  /** Parsed `result` of each operation (our entities answer an EntityReply). */
  results: unknown[];
  /** Operations the Durable library reported as thrown (bugs: our entities reply instead). */
  errors: number[];
}

interface EntityResponse {
  entityExists: boolean;
  entityState?: string | null;
  results: Array<{ isError: boolean; result?: string }>;
}

export async function runBatch<S>(app: LoadedApp, entity: string, key: string, state: S | undefined, operations: BatchOperation[]): Promise<BatchOutcome<S>> {
  const request = {
    self: { name: entity, key },
    exists: state !== undefined,
    state: state === undefined ? null : JSON.stringify(state),
    batch: operations.map((op, i) => ({
      id: `op-${i}`,
      name: op.name,
      input: op.input === undefined ? null : JSON.stringify(op.input),
      isSignal: false,
    })),
  };
  const response = (await app.invoke(entity, request)) as EntityResponse;
  if (response.results.length !== operations.length) throw new Error(`expected ${operations.length} results, got ${response.results.length}`);
  const stored = response.entityState;
  return {
    exists: response.entityExists,
    state: stored === undefined || stored === null ? state : (JSON.parse(stored) as S),
    results: response.results.map((r) => (r.result === undefined ? undefined : (JSON.parse(r.result) as unknown))),
    errors: response.results.flatMap((r, i) => (r.isError ? [i] : [])),
  };
}
