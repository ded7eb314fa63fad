/**
 * The `Settlement` gRPC service for SDK-type Service Bus bindings, as the Azure host serves it to its worker:
 * each call names a message by lock token (or a session by id) that the trigger holds for a running invocation,
 * and is carried out on the SDK receiver holding it (WebJobs Service Bus extension `SettlementService` over its
 * `ActionsCache` / `SessionActionsCache`). Unknown tokens and sessions fail with FAILED_PRECONDITION, receiver
 * errors with UNKNOWN and the error text, as there.
 *
 * On Azure the service shares the host's worker gRPC endpoint, which the Node worker gets as `--host`/`--port`
 * (and `--functions-grpc-max-message-length`) on its command line; the extension library reads them from
 * `process.argv`. The app runs in this process, so the server is one per process (on 127.0.0.1, a free port)
 * and puts those three flags into `process.argv` while any host uses it; the last user restores the argv.
 */
import * as grpc from '@grpc/grpc-js';
import type { DeadLetterOptions, ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusSessionReceiver } from '@azure/service-bus';
import rhea from 'rhea';
import { z } from 'zod';
import {
  loadSettlementDefinition,
  type DeadletterRequest,
  type LockTokenRequest,
  type ModifyRequest,
  type SessionRequest,
  type SetSessionStateRequest,
} from './settlement-contract';

/** The real process (under a test runner's sandbox too), whose argv the app's extension library reads. */
const workerProcess = process.getBuiltinModule('node:process');

/** What the Azure host passes its worker (int.MaxValue). */
export const grpcMaxMessageLength = 2_147_483_647;

/** A message a running invocation may settle, and the receiver that holds its lock. */
export interface HeldMessage {
  message: ServiceBusReceivedMessage;
  receiver: ServiceBusReceiver;
  settled: boolean;
}

/** A session a running invocation may act on; `release()` closes it after the invocation, as on Azure. */
export interface HeldSession {
  receiver: ServiceBusSessionReceiver;
  release(): void;
}

export interface SettlementService {
  readonly port: number;
  /** Makes messages (and their session) settleable until the returned function is called. */
  hold(messages: HeldMessage[], session: HeldSession | undefined): () => void;
  /** Drops this user; the last one stops the server and restores `process.argv`. */
  release(): Promise<void>;
}

const propertyValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null(), z.date()]);
const propertiesSchema = z.record(z.string(), propertyValueSchema);
type Properties = z.infer<typeof propertiesSchema>;

/** rhea's AMQP reader, which its type declarations leave out. */
const amqpTypes = rhea.types as unknown as {
  Reader: new (bytes: Buffer) => { read(): { type?: { name?: string } } };
  unwrap_map_simple(value: unknown): unknown;
};

type DeadLetterProperties = DeadLetterOptions & { [key: string]: number | boolean | string | Date | null };

class SettlementError extends Error {
  constructor(readonly code: grpc.status, message: string) {
    super(message);
  }
}

/** `propertiesToModify`: an AMQP-encoded map, empty when absent. */
export function decodeProperties(bytes: Buffer | undefined): Properties | undefined {
  if (bytes === undefined || bytes.length === 0) return undefined;
  const notMap = (why: string) => new SettlementError(grpc.status.INVALID_ARGUMENT, `propertiesToModify is not an AMQP map of simple values: ${why}.`);
  let value: { type?: { name?: string } };
  try {
    value = new amqpTypes.Reader(bytes).read();
  } catch (error) {
    throw notMap((error as Error).message);
  }
  if (!/^Map(8|32)$/.test(value.type?.name ?? '')) throw notMap(`got ${value.type?.name ?? 'an undecodable value'}`);
  const parsed = propertiesSchema.safeParse(amqpTypes.unwrap_map_simple(value));
  if (!parsed.success) throw notMap(z.prettifyError(parsed.error));
  return parsed.data;
}

/**
 * Reason and description from the request or from the DeadLetterReason / DeadLetterErrorDescription keys of
 * propertiesToModify; both set and different fails, as the .NET SDK's DeadLetterMessageAsync does.
 */
export function deadLetterOptions(request: DeadletterRequest): DeadLetterProperties {
  const { DeadLetterReason, DeadLetterErrorDescription, ...rest } = decodeProperties(request.propertiesToModify) ?? {};
  const pick = (explicit: string | undefined, fromProperties: unknown, key: string): string | undefined => {
    if (explicit !== undefined && fromProperties !== undefined && explicit !== fromProperties) {
      throw new SettlementError(grpc.status.UNKNOWN, `InvalidOperationException: propertiesToModify sets ${key} to a different value than the ${key} argument.`);
    }
    return explicit ?? (typeof fromProperties === 'string' ? fromProperties : undefined);
  };
  const reason = pick(request.deadletterReason?.value, DeadLetterReason, 'DeadLetterReason');
  const description = pick(request.deadletterErrorDescription?.value, DeadLetterErrorDescription, 'DeadLetterErrorDescription');
  // The SDK's type marks both as required, but it sends each only when set (a dead-letter without a reason is valid).
  return { ...rest, ...(reason === undefined ? {} : { deadLetterReason: reason }), ...(description === undefined ? {} : { deadLetterErrorDescription: description }) } as DeadLetterProperties;
}

function createRegistry() {
  const messages = new Map<string, HeldMessage>();
  const sessions = new Map<string, HeldSession>();
  const message = (lockToken: string): HeldMessage => {
    const held = messages.get(lockToken);
    if (held === undefined) throw new SettlementError(grpc.status.FAILED_PRECONDITION, `LockToken ${lockToken} not found.`);
    return held;
  };
  const session = (sessionId: string): HeldSession => {
    const held = sessions.get(sessionId);
    if (held === undefined) throw new SettlementError(grpc.status.FAILED_PRECONDITION, `SessionId ${sessionId} not found.`);
    return held;
  };
  return { messages, sessions, message, session };
}

type Registry = ReturnType<typeof createRegistry>;

/** One unary handler: maps thrown errors to gRPC statuses. */
function unary<Req, Res>(run: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    run(call.request).then(
      (response) => callback(null, response),
      (error: unknown) => {
        const code = error instanceof SettlementError ? error.code : grpc.status.UNKNOWN;
        callback({ code, details: error instanceof Error ? String(error.stack ?? error.message) : String(error) });
      },
    );
  };
}

function implementation(registry: Registry): grpc.UntypedServiceImplementation {
  const settle = (op: (held: HeldMessage, request: ModifyRequest) => Promise<void>) =>
    unary<ModifyRequest, object>(async (request) => {
      const held = registry.message(request.locktoken);
      await op(held, request);
      held.settled = true;
      return {};
    });
  return {
    Complete: settle((held) => held.receiver.completeMessage(held.message)),
    Abandon: settle((held, request) => held.receiver.abandonMessage(held.message, decodeProperties(request.propertiesToModify))),
    Deadletter: settle((held, request) => held.receiver.deadLetterMessage(held.message, deadLetterOptions(request as DeadletterRequest))),
    Defer: settle((held, request) => held.receiver.deferMessage(held.message, decodeProperties(request.propertiesToModify))),
    RenewMessageLock: unary<LockTokenRequest, object>(async (request) => {
      const held = registry.message(request.locktoken);
      await held.receiver.renewMessageLock(held.message);
      return {};
    }),
    GetSessionState: unary<SessionRequest, object>(async (request) => {
      const state: unknown = await registry.session(request.sessionId).receiver.getSessionState();
      return { sessionState: state === undefined || state === null ? Buffer.alloc(0) : Buffer.from(state as Uint8Array) };
    }),
    SetSessionState: unary<SetSessionStateRequest, object>(async (request) => {
      await registry.session(request.sessionId).receiver.setSessionState(request.sessionState);
      return {};
    }),
    ReleaseSession: unary<SessionRequest, object>(async (request) => {
      registry.session(request.sessionId).release();
      return {};
    }),
    RenewSessionLock: unary<SessionRequest, object>(async (request) => {
      const lockedUntil = await registry.session(request.sessionId).receiver.renewSessionLock();
      const ms = lockedUntil.getTime();
      return { lockedUntil: { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 } };
    }),
  };
}

const argvFlags = ['--host', '--port', '--functions-grpc-max-message-length'];

/** `argv` without earlier values of the flags the worker gets from the host (`--flag v` or `--flag=v`). */
export function withWorkerFlags(argv: readonly string[], port: number): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (argvFlags.includes(arg)) {
      i += 1;
      continue;
    }
    if (argvFlags.some((flag) => arg.startsWith(`${flag}=`))) continue;
    kept.push(arg);
  }
  return [...kept, '--host', '127.0.0.1', '--port', String(port), '--functions-grpc-max-message-length', String(grpcMaxMessageLength)];
}

interface Shared {
  server: grpc.Server;
  port: number;
  registry: Registry;
  users: number;
  argvBefore: string[];
}

let shared: Promise<Shared> | undefined;

async function startShared(): Promise<Shared> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': grpcMaxMessageLength, 'grpc.max_send_message_length': grpcMaxMessageLength });
  const registry = createRegistry();
  const definition = grpc.loadPackageDefinition(loadSettlementDefinition()) as unknown as { Settlement: grpc.ServiceClientConstructor };
  server.addService(definition.Settlement.service, implementation(registry));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  const argvBefore = [...workerProcess.argv];
  workerProcess.argv = withWorkerFlags(workerProcess.argv, port);
  return { server, port, registry, users: 0, argvBefore };
}

/** Joins (or starts) this process's Settlement server. */
export async function acquireSettlementService(): Promise<SettlementService> {
  shared ??= startShared();
  let state: Shared;
  try {
    state = await shared;
  } catch (error) {
    shared = undefined;
    throw error;
  }
  state.users += 1;
  let released = false;
  return {
    port: state.port,
    hold(messages, session) {
      const sessionId = messages[0]?.message.sessionId;
      for (const held of messages) if (held.message.lockToken !== undefined) state.registry.messages.set(held.message.lockToken, held);
      if (session !== undefined && sessionId !== undefined) state.registry.sessions.set(sessionId, session);
      return () => {
        for (const held of messages) if (held.message.lockToken !== undefined) state.registry.messages.delete(held.message.lockToken);
        if (sessionId !== undefined && state.registry.sessions.get(sessionId) === session) state.registry.sessions.delete(sessionId);
      };
    },
    async release() {
      if (released) return;
      released = true;
      state.users -= 1;
      if (state.users > 0) return;
      shared = undefined;
      workerProcess.argv = state.argvBefore;
      await new Promise<void>((resolve) => state.server.tryShutdown(() => resolve()));
    },
  };
}
