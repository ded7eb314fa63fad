import { app, HttpRequest, HttpResponseInit } from '@azure/functions';

export const healthFunctionName = 'health';

/** Liveness probe: answers without touching any dependency, so it says only that the app is loaded. */
export async function getHealth(_request: HttpRequest): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: { status: 'ok', app: 'sluice' } };
}

app.http(healthFunctionName, { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: getHealth });
