/**
 * `GET /api/dashboard`: serves the operators' dashboard page (functions/dashboard/page.ts). Same function key as the
 * API; the page is opened as `/api/dashboard?code=<key>` and its script calls the API with that key.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { dashboardActivity } from './activity';
import { dashboardHtml } from './page';

/** Inline script and style only, API calls to this app only; no caching since the URL carries the key. */
const headers = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

export function getDashboard(): Promise<HttpResponseInit> {
  return Promise.resolve({ status: 200, headers, body: dashboardHtml });
}

/** `GET /api/dashboard/activity`: loads in flight, ingress dead-letters, recent rejects (functions/dashboard/activity.ts). */
export async function getDashboardActivity(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: await dashboardActivity(df.getClient(context)) };
}

app.http('dashboard', { route: 'dashboard', methods: ['GET'], authLevel: 'function', handler: getDashboard });
app.http('dashboardActivity', { route: 'dashboard/activity', methods: ['GET'], authLevel: 'function', extraInputs: [df.input.durableClient()], handler: getDashboardActivity });
