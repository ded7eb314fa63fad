/**
 * serviceBusTrigger: the host delegates message delivery to a `ServiceBusTriggerSource` (implemented against the
 * local Service Bus emulator, local/servicebus). The source owns receiving, sessions (`isSessionsEnabled`),
 * batching (`cardinality: 'many'`), settlement and the RPC shapes of the message; the host gives it each
 * function's binding (app settings resolved) and an `invoke` that adds the durableClient input and runs the
 * function. Without a source, Service Bus-triggered functions are listed but not started, and the host says so.
 */
import { resolveSettingReferences } from '../config';
import type { DurableHost, FunctionBinding, InvocationInput, InvocationOutput, RegisteredFunction } from '../contracts';
import { clientInputData } from '../worker/client-inputs';
import type { AppInvoker } from '../worker/invoker';
import type { HostLogger } from '../log';

export interface ServiceBusSubscription {
  close(): Promise<void>;
}

export interface ServiceBusTriggerRequest {
  functionName: string;
  /** The trigger binding with `%SETTING%` references in queueName/topicName/subscriptionName resolved. */
  binding: FunctionBinding;
  /** host.json `extensions.serviceBus` (prefetchCount, maxConcurrentSessions, maxMessageBatchSize, ...). */
  hostSettings: Record<string, unknown>;
  /** Runs the function; rejects when it throws (the source then abandons or dead-letters, as on Azure). */
  invoke(input: InvocationInput): Promise<InvocationOutput>;
}

export interface ServiceBusTriggerSource {
  subscribe(request: ServiceBusTriggerRequest): Promise<ServiceBusSubscription>;
}

export interface ServiceBusTriggerOptions {
  functions: RegisteredFunction[];
  invoker: AppInvoker;
  env: NodeJS.ProcessEnv;
  logger: HostLogger;
  durable: () => DurableHost | undefined;
  hostSettings: Record<string, unknown>;
  source: ServiceBusTriggerSource | undefined;
}

const resolvedSettings = ['queueName', 'topicName', 'subscriptionName'];

export async function startServiceBusTriggers(options: ServiceBusTriggerOptions): Promise<ServiceBusSubscription[]> {
  const functions = options.functions.filter((fn) => fn.triggerType.toLowerCase() === 'servicebustrigger');
  if (functions.length === 0) return [];
  const source = options.source;
  if (source === undefined) {
    options.logger.log('warning', 'Service Bus triggers are not started: no Service Bus trigger source is configured', {
      functions: functions.map((fn) => fn.name),
      fix: 'start the host with a serviceBus source (the local Service Bus emulator) to run these functions',
    });
    return [];
  }
  const subscriptions: ServiceBusSubscription[] = [];
  try {
    for (const fn of functions) {
      const binding = { ...(fn.bindings[fn.triggerBindingName] as FunctionBinding) };
      for (const setting of resolvedSettings) {
        if (typeof binding[setting] === 'string') {
          binding[setting] = resolveSettingReferences(binding[setting] as string, options.env, `The ${setting} of function '${fn.name}'`);
        }
      }
      subscriptions.push(
        await source.subscribe({
          functionName: fn.name,
          binding,
          hostSettings: options.hostSettings,
          invoke: (input) =>
            options.invoker.invoke(fn.name, { ...input, inputData: [...input.inputData, ...clientInputData(fn, options.durable())] }),
        }),
      );
      options.logger.log('information', 'Service Bus trigger started', { functionName: fn.name });
    }
  } catch (error) {
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
    throw error;
  }
  return subscriptions;
}
