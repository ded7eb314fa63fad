/**
 * A `ServiceBusTriggerSource` over the real `@azure/service-bus` SDK, copying the Azure host's dispatch rules
 * (Microsoft.Azure.WebJobs.Extensions.ServiceBus 5.x, see shared reference servicebus-amqp.md section 7):
 * - sessions + `cardinality: 'one'`: `maxConcurrentSessions` loops, each holding one session at a time and
 *   running one message at a time in it (strict FIFO per session); a session is released after
 *   `sessionIdleTimeout` without a message;
 * - sessions + `cardinality: 'many'`: one loop, batches of up to `maxMessageBatchSize` from one session only;
 * - no sessions: `maxConcurrentCalls` concurrent single messages, or one batch loop for `many`;
 * - after the invocation, messages the function did not settle itself are completed on success when
 *   `autoCompleteMessages` (binding, else host.json, default true), left locked when it is false, and abandoned
 *   when the function threw (the broker dead-letters after `maxDeliveryCount`);
 * - SDK-type bindings (`sdkBinding: true`) get `ModelBindingData` (service-bus-model-binding.ts) and may settle
 *   each message through the Settlement gRPC service (settlement-server.ts) while the invocation runs.
 */
import {
  isServiceBusError,
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type ServiceBusSessionReceiver,
} from '@azure/service-bus';
import type { InvocationInput, RpcTypedData } from '../contracts';
import type { HostLogger } from '../log';
import { messageBodyData, messageMetadata, messagesBodyData, messagesMetadata } from './service-bus-message';
import { autoCompleteMessages, isSdkBinding, sdkBindingData } from './service-bus-model-binding';
import { acquireSettlementService, type HeldMessage, type SettlementService } from './settlement-server';
import type { ServiceBusSubscription, ServiceBusTriggerRequest, ServiceBusTriggerSource } from './service-bus-source';

export interface SdkServiceBusSourceOptions {
  /** App settings: the binding's `connection` names one holding a connection string. */
  env: NodeJS.ProcessEnv;
  logger: HostLogger;
}

interface DispatchSettings {
  maxConcurrentSessions: number;
  maxConcurrentCalls: number;
  maxMessageBatchSize: number;
  sessionIdleTimeoutInMs: number;
  maxAutoLockRenewalDurationInMs: number;
}

/** Longest wait of one acceptNextSession poll (ServiceTimeout then means "no session ready"). */
const acceptPollInMs = 3_000;

/** host.json `extensions.serviceBus` defaults of the Azure host (per 2 cores for maxConcurrentCalls). */
function dispatchSettings(host: Record<string, unknown>): DispatchSettings {
  const int = (key: string, fallback: number): number => {
    const value = host[key];
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return {
    maxConcurrentSessions: int('maxConcurrentSessions', 8),
    maxConcurrentCalls: int('maxConcurrentCalls', 32),
    maxMessageBatchSize: int('maxMessageBatchSize', 1000),
    sessionIdleTimeoutInMs: timeSpanInMs(host.sessionIdleTimeout, 60_000),
    maxAutoLockRenewalDurationInMs: timeSpanInMs(host.maxAutoLockRenewalDuration, 300_000),
  };
}

/** Parses a .NET TimeSpan `hh:mm:ss[.fff]` as host.json writes durations. */
export function timeSpanInMs(value: unknown, fallback: number): number {
  if (typeof value !== 'string') return fallback;
  const match = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value);
  if (match === null) return fallback;
  return Math.round((Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])) * 1000);
}

export function createSdkServiceBusSource(options: SdkServiceBusSourceOptions): ServiceBusTriggerSource {
  return {
    async subscribe(request: ServiceBusTriggerRequest): Promise<ServiceBusSubscription> {
      const connectionName = String(request.binding.connection ?? '');
      const connectionString = options.env[connectionName];
      if (connectionString === undefined || connectionString === '') {
        throw new Error(
          `Service Bus trigger of function '${request.functionName}': app setting '${connectionName}' holds no connection string. ` +
            'To fix: set it (npm start sets it to the local emulator), or use the emulator connection string in local.settings.json.',
        );
      }
      const queueName = request.binding.queueName;
      if (typeof queueName !== 'string' || queueName === '') {
        throw new Error(`Service Bus trigger of function '${request.functionName}': only queue triggers are supported locally (queueName is missing). To fix: use app.serviceBusQueue.`);
      }
      // A pending acceptNextSession long-poll ignores abort signals and client.close(); the operation timeout
      // bounds it instead, and so bounds how long closing the source takes.
      const client = new ServiceBusClient(connectionString, { retryOptions: { timeoutInMs: acceptPollInMs } });
      let settlement: SettlementService | undefined;
      try {
        settlement = isSdkBinding(request.binding) ? await acquireSettlementService() : undefined;
      } catch (error) {
        await client.close();
        throw error;
      }
      const abort = new AbortController();
      const settings = dispatchSettings(request.hostSettings);
      const batch = request.binding.cardinality === 'many';
      const run: Dispatch = { request, logger: options.logger, autoComplete: autoCompleteMessages(request.binding, request.hostSettings), settlement };
      const loops = request.binding.isSessionsEnabled === true
        ? sessionLoops(client, queueName, run, settings, batch, abort.signal)
        : plainLoops(client, queueName, run, settings, batch, abort.signal);
      return {
        async close() {
          abort.abort();
          await Promise.allSettled(loops);
          await client.close();
          await settlement?.release();
        },
      };
    },
  };
}

/** One subscription's invocation settings. */
interface Dispatch {
  request: ServiceBusTriggerRequest;
  logger: HostLogger;
  autoComplete: boolean;
  /** Set for SDK-type bindings. */
  settlement: SettlementService | undefined;
}

/** SDK-type bindings re-encode the message as received, so keep annotation timestamps as timestamps. */
function receiveOptions(run: Dispatch): { skipConvertingDate?: boolean } {
  return run.settlement === undefined ? {} : { skipConvertingDate: true };
}

function sessionLoops(client: ServiceBusClient, queueName: string, run: Dispatch, settings: DispatchSettings,
  batch: boolean, signal: AbortSignal): Array<Promise<void>> {
  const count = batch ? 1 : settings.maxConcurrentSessions;
  return Array.from({ length: count }, async () => {
    while (!signal.aborted) {
      let receiver: ServiceBusSessionReceiver;
      try {
        receiver = await client.acceptNextSession(queueName, {
          maxAutoLockRenewalDurationInMs: batch ? 0 : settings.maxAutoLockRenewalDurationInMs,
          abortSignal: signal,
          ...receiveOptions(run),
        });
      } catch (error) {
        if (signal.aborted) return;
        if (isServiceBusError(error) && error.code === 'ServiceTimeout') continue;
        run.logger.log('warning', 'Service Bus session accept failed; retrying', { functionName: run.request.functionName, error: (error as Error).message });
        await pause(1000, signal);
        continue;
      }
      try {
        await drain(receiver, run, batch ? settings.maxMessageBatchSize : 1, settings.sessionIdleTimeoutInMs, signal, receiver);
      } finally {
        await receiver.close().catch(() => undefined);
      }
    }
  });
}

function plainLoops(client: ServiceBusClient, queueName: string, run: Dispatch, settings: DispatchSettings,
  batch: boolean, signal: AbortSignal): Array<Promise<void>> {
  const receiver = client.createReceiver(queueName, {
    maxAutoLockRenewalDurationInMs: batch ? 0 : settings.maxAutoLockRenewalDurationInMs,
    ...receiveOptions(run),
  });
  if (batch) {
    return [drain(receiver, run, settings.maxMessageBatchSize, Number.POSITIVE_INFINITY, signal, undefined).finally(() => receiver.close())];
  }
  // One receiver cannot run concurrent receiveMessages calls; subscribe() gives maxConcurrentCalls handlers.
  const subscription = receiver.subscribe({
    processMessage: async (message) => {
      await dispatch(receiver, run, [message], false, undefined);
    },
    processError: async (args) => {
      if (!signal.aborted) run.logger.log('warning', 'Service Bus receive failed', { functionName: run.request.functionName, error: args.error.message });
    },
  }, { autoCompleteMessages: false, maxConcurrentCalls: settings.maxConcurrentCalls });
  return [new Promise<void>((resolve) => {
    signal.addEventListener('abort', () => {
      subscription.close().finally(() => receiver.close().finally(resolve));
    }, { once: true });
  })];
}

/**
 * Receives and dispatches until the receiver stays idle for `idleInMs` (sessions), the function releases the
 * session, or the source closes.
 */
async function drain(receiver: ServiceBusReceiver, run: Dispatch, maxMessages: number, idleInMs: number,
  signal: AbortSignal, session: ServiceBusSessionReceiver | undefined): Promise<void> {
  const waitInMs = Number.isFinite(idleInMs) ? idleInMs : 5_000;
  while (!signal.aborted) {
    let messages: ServiceBusReceivedMessage[];
    try {
      messages = await receiver.receiveMessages(maxMessages, { maxWaitTimeInMs: waitInMs, abortSignal: signal });
    } catch (error) {
      if (signal.aborted) return;
      run.logger.log('warning', 'Service Bus receive failed', { functionName: run.request.functionName, error: (error as Error).message });
      return;
    }
    if (messages.length === 0) {
      if (Number.isFinite(idleInMs)) return;
      continue;
    }
    const { releaseSession } = await dispatch(receiver, run, messages, maxMessages > 1, session);
    if (releaseSession) return;
  }
}

async function dispatch(receiver: ServiceBusReceiver, run: Dispatch, messages: ServiceBusReceivedMessage[],
  batch: boolean, session: ServiceBusSessionReceiver | undefined): Promise<{ releaseSession: boolean }> {
  const { request, logger, settlement } = run;
  const held: HeldMessage[] = messages.map((message) => ({ message, receiver, settled: false }));
  let releaseSession = false;
  const unhold = settlement?.hold(held, session === undefined ? undefined : { receiver: session, release: () => (releaseSession = true) });
  let failed = false;
  try {
    const data: RpcTypedData = settlement !== undefined
      ? sdkBindingData(messages, batch)
      : batch ? messagesBodyData(messages) : messageBodyData(messages[0] as ServiceBusReceivedMessage);
    const input: InvocationInput = {
      inputData: [{ name: request.binding.name, data }],
      triggerMetadata: batch ? messagesMetadata(messages) : messageMetadata(messages[0] as ServiceBusReceivedMessage),
    };
    await request.invoke(input);
  } catch (error) {
    failed = true;
    logger.log('warning', 'Service Bus-triggered function failed; abandoning the messages it did not settle', {
      functionName: request.functionName,
      messageIds: messages.map((m) => String(m.messageId)),
      error: (error as Error).message,
    });
  } finally {
    unhold?.();
  }
  // Completions of a batch go out concurrently, as the Azure host's batch listener does (not one round trip after
  // the other); abandons stay sequential, in the session's order.
  const settle = async (message: ServiceBusReceivedMessage): Promise<void> => {
    try {
      if (failed) await receiver.abandonMessage(message);
      else await receiver.completeMessage(message);
    } catch (error) {
      logger.log('warning', 'Service Bus settlement failed; the lock will expire and the message be redelivered', {
        functionName: request.functionName,
        messageId: String(message.messageId),
        error: (error as Error).message,
      });
    }
  };
  const unsettled = held.filter(({ settled }) => !settled && (failed || run.autoComplete)).map(({ message }) => message);
  if (failed) for (const message of unsettled) await settle(message);
  else await Promise.all(unsettled.map(settle));
  return { releaseSession };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
