/** Where completion and failure notifications go. */
import { z } from 'zod';
import { objectName, positiveInt, settingName } from './identifiers';

const serviceBusTarget = z
  .object({
    kind: z.literal('serviceBusQueue').describe('A Service Bus queue; one message per notification.'),
    name: objectName.describe('Target name, referenced by pipelines.'),
    queueName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,259}$/, 'expected a Service Bus queue name').describe('Queue name.'),
    connectionSetting: settingName.default('SLUICE_SERVICEBUS').describe('Connection name of the Service Bus namespace (a connection string locally; on Azure the prefix of identity settings such as SLUICE_SERVICEBUS__fullyQualifiedNamespace). Default: "SLUICE_SERVICEBUS".'),
  })
  .strict();

const webhookTarget = z
  .object({
    kind: z.literal('webhook').describe('An HTTPS endpoint receiving a JSON POST per notification.'),
    name: objectName.describe('Target name, referenced by pipelines.'),
    url: z.url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL' }).describe('Endpoint URL.'),
    secretSetting: settingName.optional().describe('App setting holding the HMAC signing secret. Default: unsigned.'),
    maxRetries: z.int('expected an integer >= 0').min(0, 'expected an integer >= 0').default(5).describe('Retries on failure, with backoff. Default: 5.'),
    timeoutInMs: positiveInt('milliseconds').default(10_000).describe('Timeout of one call in ms. Default: 10000.'),
    retryDelayInMs: positiveInt('milliseconds').default(500).describe('First wait before a retry in ms; doubles per retry (full jitter, at most 10 s). Default: 500.'),
  })
  .strict();

export const notificationTargetSchema = z
  .discriminatedUnion('kind', [serviceBusTarget, webhookTarget])
  .describe('A notification target: "serviceBusQueue" or "webhook".');

export type NotificationTargetConfig = z.output<typeof notificationTargetSchema>;
