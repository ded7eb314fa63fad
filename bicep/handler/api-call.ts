/**
 * The handler's one way to reach the Sluice management API, with the timeout from the extension configuration and
 * errors that name the field to fix. Never logs or returns a secret.
 */
import type { ExtensionConfig } from '../resource-types';

export class RequestError extends Error {
  constructor(readonly code: string, readonly target: string, message: string) {
    super(message);
  }
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** One call to the Sluice management API (`/api/<route>`); `what` names the resource in error messages. */
export async function callSluice(config: ExtensionConfig, method: string, route: string, what: string, body?: unknown): Promise<ApiAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (config.functionKey !== undefined) headers['x-functions-key'] = config.functionKey;
  if (config.accessToken !== undefined) headers['authorization'] = `Bearer ${config.accessToken}`;
  const url = `${config.endpoint.replace(/\/+$/, '')}/api/${route}`;
  let response: Response;
  try {
    response = await fetch(url, { method, headers, signal: AbortSignal.timeout(config.timeoutInMs), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new RequestError('SluiceUnreachable', 'config.endpoint', `${method} ${what}: the Sluice management API at ${config.endpoint} ` +
      `${timedOut ? `did not answer within ${config.timeoutInMs} ms` : `could not be reached (${(error as Error).message})`}. To fix: check "endpoint" and that the app is running; re-running the deployment is safe.`);
  }
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    parsed = {};
  }
  return { status: response.status, body: parsed };
}

