/**
 * Service Bus sends for load notifications, following the Functions connection convention: the setting holds a
 * connection string locally; on Azure `<setting>__fullyQualifiedNamespace` is used with the managed identity
 * (DefaultAzureCredential). One client per send, closed after it: notifications are one per load, and no idle
 * AMQP connection outlives them.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { SluiceError } from '../../core/errors';

function clientFor(connectionSetting: string): ServiceBusClient {
  const connectionString = process.env[connectionSetting]?.trim();
  const namespace = process.env[`${connectionSetting}__fullyQualifiedNamespace`]?.trim();
  const retryOptions = { maxRetries: 3, retryDelayInMs: 500, timeoutInMs: 30_000 };
  if (connectionString) return new ServiceBusClient(connectionString, { retryOptions });
  if (namespace) return new ServiceBusClient(namespace, new DefaultAzureCredential(), { retryOptions });
  throw new SluiceError('ConfigInvalid', `Service Bus connection "${connectionSetting}" is not configured. ` +
    `To fix: set ${connectionSetting} (a connection string) or ${connectionSetting}__fullyQualifiedNamespace (with the managed identity).`,
  { ids: { target: 'connectionSetting' } });
}

/** Sends one message; the SDK retries transient failures (3 retries) before this throws. */
export async function sendToQueue(connectionSetting: string, queueName: string, message: ServiceBusMessage): Promise<void> {
  const client = clientFor(connectionSetting);
  try {
    await client.createSender(queueName).sendMessages(message);
  } catch (error) {
    throw new SluiceError('SinkFailed', `Sending to Service Bus queue "${queueName}" failed: ${(error as Error).message}. ` +
      'To fix: check that the queue exists and the app may send to it (Azure Service Bus Data Sender).', { retryable: true, cause: error });
  } finally {
    await client.close().catch(() => undefined);
  }
}
