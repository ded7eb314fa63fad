/**
 * The Bicep resource types of the Sluice extension and the management API kinds they apply to. Shared by the type
 * generator and the handler, so a type name and its API route cannot drift apart.
 */
import { z } from 'zod';
import { ITEM_NAME, type ConfigKind } from '../core/config';

export const EXTENSION_NAME = 'sluice';
export const API_VERSION = '2026-11-01';

export const RESOURCE_TYPES = {
  'Sluice/pipelines': 'pipelines',
  'Sluice/semaphores': 'semaphores',
  'Sluice/streamPolicies': 'streamPolicies',
  'Sluice/notifications': 'notificationTargets',
} as const satisfies Record<string, ConfigKind>;

export type ResourceTypeName = keyof typeof RESOURCE_TYPES;

/**
 * `Sluice/streams`: the desired operator state of one stream (not configuration: it is applied through the streams
 * API, suspend or resume, and nothing is stored for it).
 */
export const STREAM_RESOURCE_TYPE = 'Sluice/streams';

export const streamDesiredStateSchema = z
  .object({
    name: z.string().regex(/^[^\s/?#]{1,256}$/, 'expected a stream id (the Service Bus session id), without spaces, "/", "?" or "#"')
      .describe('Stream id (the Service Bus session id of its events), e.g. "UK_Account".'),
    suspended: z.boolean().describe('Desired state: true suspends the stream (ingress keeps accepting its events), false resumes it (one catch-up window covers what arrived meanwhile).'),
    reason: z.string().min(1, 'expected a non-empty reason').max(1000, 'expected at most 1000 characters').optional()
      .describe('Why the stream is suspended, shown to operators. Required when suspended is true.'),
  })
  .strict()
  .refine((state) => !state.suspended || state.reason !== undefined, { path: ['reason'], message: 'expected a reason when suspended is true' });

export type StreamDesiredState = z.output<typeof streamDesiredStateSchema>;

/** Semaphores are declared by their entity key, e.g. `target:warehouse`; their `kind` comes from it. */
export const SEMAPHORE_RESOURCE_NAME = new RegExp(ITEM_NAME.source.replace('(?:(?:source|target):)?', '(?:source|target):'));

/** The extension configuration (`extension sluice with { ... }`): where the Sluice app is and how to authenticate. */
export const extensionConfigSchema = z
  .object({
    endpoint: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'expected the http(s) base URL of the Sluice function app')
      .describe('Base URL of the Sluice function app, e.g. https://<app>.azurewebsites.net (the management API is under /api/config).'),
    functionKey: z.string().min(1, 'expected a non-empty function key').optional().describe('Function key of the app (sent as x-functions-key). Secret: pass it with readEnvironmentVariable.'),
    accessToken: z.string().min(1, 'expected a non-empty token').optional().describe('Entra ID access token for the app (sent as a Bearer token), when the app uses App Service authentication.'),
    timeoutInMs: z.int('expected an integer').min(1_000, 'expected at least 1000 ms').max(50_000, 'expected at most 50000 ms (Bicep gives each call 60 s)').default(20_000)
      .describe('Timeout of one management API call in ms. Default: 20000.'),
  })
  .strict();

export type ExtensionConfig = z.output<typeof extensionConfigSchema>;
