import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import type { DurableHost, FunctionBinding, FunctionInvoker } from '../contracts';
import type { DurableClock } from './clock';
import { systemClock } from '../scheduling-clock';
import { ClientOperations } from './engine/client-operations';
import { Dispatcher } from './engine/dispatcher';
import type { EngineContext, EngineLogEntry } from './engine/engine-context';
import { ManagementApi } from './http/management-api';
import { durableClientPayload } from './http/urls';
import { durableHostSettings, type DurableHostSettings } from './host-options';
import type { DurableStore } from './store/durable-store';

export type { DurableClock } from './clock';
export { MemoryStore } from './store/memory-store';
export { SqliteStore } from './store/sqlite-store';
export type { DurableStore } from './store/durable-store';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CreateDurableHostOptions {
  invoker: FunctionInvoker;
  store: DurableStore;
  /** Parsed host.json of the app (only `extensions.durableTask` is read). */
  hostJson?: unknown;
  clock?: DurableClock;
  /** Origin the app's HTTP server listens on, e.g. `http://127.0.0.1:7071`; management URLs use it. */
  baseUrl: string;
  env?: NodeJS.ProcessEnv;
  /** Structured log sink; defaults to one JSON line per entry on stdout. */
  log?: (entry: EngineLogEntry) => void;
  /** Timer limits of the Azure Storage provider unless overridden (tests shorten them). */
  maxShortTimerMs?: number;
  longTimerIntervalMs?: number;
  /** How long `stop()` waits for running functions; unfinished work reruns on the next start. @default 5000 */
  stopGraceInMs?: number;
}

export interface LocalDurableHost extends DurableHost {
  readonly settings: DurableHostSettings;
  readonly client: ClientOperations;
  /** Resolves when no episode, activity or entity batch is running. */
  whenIdle(): Promise<void>;
}

/** Builds the Durable half of the local host over a store (sqlite for `npm start`, memory for tests). */
export function createDurableHost(options: CreateDurableHostOptions): LocalDurableHost {
  const settings = durableHostSettings(options.hostJson, options.env ?? process.env, availableParallelism());
  const log = options.log ?? ((entry: EngineLogEntry) => process.stdout.write(`${JSON.stringify({ category: 'sluice:local:durable', ...entry })}\n`));
  const wiring: { dispatcher?: Dispatcher } = {};
  const ctx: EngineContext = {
    store: options.store,
    invoker: options.invoker,
    clock: options.clock ?? systemClock,
    hubName: settings.hubName,
    maxShortTimerMs: options.maxShortTimerMs ?? 6 * DAY_MS,
    longTimerIntervalMs: options.longTimerIntervalMs ?? 3 * DAY_MS,
    maxEntityBatchSize: settings.maxEntityOperationBatchSize,
    commit(change) {
      options.store.commit(change);
      const targets = (change.addMessages ?? []).map((m) => m.target);
      wiring.dispatcher?.notify(targets);
    },
    durableClientPayload: () => durableClientPayload(options.baseUrl, settings.hubName),
    log,
    newGuid: randomUUID,
  };
  const dispatcher = new Dispatcher(ctx, settings, (error) => log({ event: 'Sluice.DurableHost.Error', message: error instanceof Error ? error.stack ?? error.message : String(error) }));
  const client = new ClientOperations(ctx);
  const api = new ManagementApi({ operations: client, hubName: settings.hubName, baseUrl: options.baseUrl, overridable: settings.overridableExistingInstanceStates });
  wiring.dispatcher = dispatcher;
  const running = dispatcher;
  return {
    settings,
    client,
    getDurableClientPayload(_binding: FunctionBinding): unknown {
      return durableClientPayload(options.baseUrl, settings.hubName);
    },
    handlesRequest(request: IncomingMessage): boolean {
      return api.handles(request.url ?? '/');
    },
    handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
      return api.handle(request, response);
    },
    start(): Promise<void> {
      running.start();
      return Promise.resolve();
    },
    stop(): Promise<void> {
      return running.stop(options.stopGraceInMs ?? 5000);
    },
    whenIdle(): Promise<void> {
      return running.whenIdle();
    },
  };
}
