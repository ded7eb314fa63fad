/**
 * Reads Durable entities for the operators' API: one entity's state (`readEntityState`) and a paged listing of an
 * entity name with its states. durable-functions 3.5 has no listing call, so the listing uses the Durable HTTP API
 * route `GET entities/{name}?fetchState=true&top=N` (continuation in `x-ms-continuation-token`) at the address the
 * `durableClient` binding gives the app (`rpcBaseUrl`, else the webhook `baseUrl` with its system key).
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../core/errors';

/** The one durable client input of the operators' API: `extraInputs.get` needs the registered object. */
export const durableClientInput = df.input.durableClient();

const clientDataSchema = z.object({
  rpcBaseUrl: z.string().url().optional(),
  baseUrl: z.string().url().optional(),
  requiredQueryStringParameters: z.string().optional(),
});

const entityPageSchema = z.array(
  z.object({
    entityId: z.object({ name: z.string(), key: z.string() }),
    lastOperationTime: z.string(),
    state: z.unknown().optional(),
  }),
);

export interface EntityRecord {
  key: string;
  lastOperationTime: string;
  state: unknown;
}

export interface EntityPage {
  entities: EntityRecord[];
  /** Pass back to get the next page; null on the last page. */
  continuationToken: string | null;
}

function listUrl(context: InvocationContext, entityName: string, top: number): string {
  const parsed = clientDataSchema.safeParse(context.extraInputs.get(durableClientInput));
  const data = parsed.success ? parsed.data : {};
  const query = `fetchState=true&top=${top}`;
  if (data.rpcBaseUrl !== undefined) return new URL(`entities/${encodeURIComponent(entityName)}?${query}`, data.rpcBaseUrl).href;
  if (data.baseUrl !== undefined) {
    const key = data.requiredQueryStringParameters ? `&${data.requiredQueryStringParameters}` : '';
    return `${data.baseUrl.replace(/\/$/, '')}/entities/${encodeURIComponent(entityName)}?${query}${key}`;
  }
  throw new SluiceError('SinkFailed', 'The durableClient binding gave no Durable HTTP API address (neither rpcBaseUrl nor baseUrl). ' +
    'To fix: register the function with the durable client input and run it on a Durable Functions host.');
}

/** One page of the entities named `entityName`, with their states. */
export async function listEntityPage(context: InvocationContext, entityName: string, options: { top: number; continuationToken?: string }): Promise<EntityPage> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.continuationToken !== undefined) headers['x-ms-continuation-token'] = options.continuationToken;
  const response = await fetch(listUrl(context, entityName, options.top), { headers, signal: AbortSignal.timeout(30_000) });
  if (response.status !== 200) {
    throw new SluiceError('SinkFailed', `Listing the "${entityName}" entities failed: the Durable HTTP API answered ${response.status}. To fix: retry; if it persists, check the host logs.`, { retryable: true });
  }
  const page = entityPageSchema.safeParse(await response.json());
  if (!page.success) {
    throw new SluiceError('SinkFailed', `Listing the "${entityName}" entities: unexpected answer from the Durable HTTP API (${page.error.issues[0]?.message ?? 'invalid'}). To fix: check the Durable extension version.`);
  }
  const token = response.headers.get('x-ms-continuation-token');
  return {
    entities: page.data.map((e) => ({ key: e.entityId.key, lastOperationTime: e.lastOperationTime, state: e.state ?? null })),
    continuationToken: token === null || token === '' ? null : token,
  };
}

/** Every entity named `entityName`, up to `maxEntities` (semaphores are few: they come from the configuration). */
export async function listAllEntities(context: InvocationContext, entityName: string, maxEntities = 10_000): Promise<EntityRecord[]> {
  const all: EntityRecord[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await listEntityPage(context, entityName, { top: 1000, ...(continuationToken === undefined ? {} : { continuationToken }) });
    all.push(...page.entities);
    continuationToken = page.continuationToken ?? undefined;
  } while (continuationToken !== undefined && all.length < maxEntities);
  return all;
}

/** The state of one entity, or undefined when it does not exist. */
export async function readEntity(client: df.DurableClient, entityName: string, key: string): Promise<unknown> {
  const response = await client.readEntityState<unknown>(new df.EntityId(entityName, key));
  return response.entityExists ? response.entityState : undefined;
}
