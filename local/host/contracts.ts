/**
 * The seam between the two halves of the local host:
 * - the Functions half (local/host/worker/, http/, triggers/): provides `@azure/functions-core`, loads the app's entry point,
 *   keeps the registry, invokes functions through the library's own InvocationModel, serves HTTP triggers,
 *   timers, blob and Service Bus triggers;
 * - the Durable half (local/host/durable/): task hub store, orchestration replay, activities, timers, entities,
 *   and the Durable HTTP management API. It invokes durable-trigger functions only through `FunctionInvoker`.
 * Shapes follow the Functions RPC protocol (see ../shared/docs/reference/durable-host.md, section 1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** RPC typed data as the Functions host sends it to the Node worker (the subset the host uses). */
export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  int?: number | null;
  double?: number | null;
  http?: unknown;
  collectionString?: { string: string[] } | null;
  /** SDK-type bindings: what the extension library turns into an SDK object (see triggers/service-bus-model-binding.ts). */
  modelBindingData?: RpcModelBindingData | null;
  collectionModelBindingData?: { modelBindingData: RpcModelBindingData[] } | null;
}

export interface RpcModelBindingData {
  version: string;
  source: string;
  contentType: string;
  content: Uint8Array;
}

export interface FunctionBinding {
  name: string;
  type: string;
  direction: 'in' | 'out' | 'inout';
  [setting: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  /** Bindings keyed by binding name, as registered (`$return` for the return binding). */
  bindings: Record<string, FunctionBinding>;
  /** Key in `bindings` of the trigger binding. */
  triggerBindingName: string;
  /** Trigger type, e.g. `httpTrigger`, `orchestrationTrigger`, `activityTrigger`, `entityTrigger`. */
  triggerType: string;
  retryOptions?: unknown;
}

export interface InvocationInput {
  /** One entry per input binding; names must be keys of the function's `bindings`. */
  inputData: Array<{ name: string; data: RpcTypedData }>;
  triggerMetadata?: Record<string, RpcTypedData>;
  retryContext?: { retryCount: number; maxRetryCount: number; exception?: { message?: string; stackTrace?: string } };
  /** Cancels a running invocation's wait (the function itself is not interrupted, as on Azure). */
  abortSignal?: AbortSignal;
  /**
   * Durable instance id (or `@name@key` of an entity) for the invocation's log line, when the caller knows it:
   * otherwise the invoker parses the trigger payload for it, which cost ~3 % of CPU with thousands of streams.
   */
  instanceId?: string;
}

export interface InvocationOutput {
  returnValue?: RpcTypedData;
  outputData: Array<{ name: string; data: RpcTypedData }>;
}

/** Implemented by the Functions half. `invoke` rejects when the function throws (message and stack kept). */
export interface FunctionInvoker {
  listFunctions(): RegisteredFunction[];
  invoke(functionName: string, input: InvocationInput): Promise<InvocationOutput>;
}

/** Implemented by the Durable half; the Functions half mounts it and asks it for durableClient payloads. */
export interface DurableHost {
  /** JSON value of a `durableClient` input binding (taskHubName, managementUrls, rpcBaseUrl, ...). */
  getDurableClientPayload(binding: FunctionBinding): unknown;
  /** True when this request belongs to the Durable management API (`/runtime/webhooks/durabletask/...`). */
  handlesRequest(request: IncomingMessage): boolean;
  handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Injected time, so tests control timers and leases; production uses `systemClock`. */
export interface HostClock {
  nowMs(): number;
}
