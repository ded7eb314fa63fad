/**
 * Entra authentication of telemetry ingestion. infra/ disables local (key) auth on Application Insights and sets
 * `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` = `Authorization=AAD;ClientId=<user-assigned identity>` for the
 * Functions host; the Node SDK's TelemetryClient does not read that setting itself, so the app passes the same
 * managed identity as its `aadTokenCredential`.
 */
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

export const authenticationStringSetting = 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING';

/** `{ aad: true, clientId }` for `Authorization=AAD[;ClientId=...]` (keys case-insensitive), else `{ aad: false }`. */
export function parseAuthenticationString(value: string | undefined): { aad: boolean; clientId?: string } {
  const parts = new Map<string, string>();
  for (const part of (value ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  if (parts.get('authorization')?.toLowerCase() !== 'aad') return { aad: false };
  const clientId = parts.get('clientid');
  return clientId ? { aad: true, clientId } : { aad: true };
}

/** The managed identity the setting names (system-assigned without a ClientId), or undefined for key auth. */
export function ingestionCredential(value: string | undefined): TokenCredential | undefined {
  const auth = parseAuthenticationString(value);
  if (!auth.aad) return undefined;
  return auth.clientId === undefined ? new ManagedIdentityCredential() : new ManagedIdentityCredential({ clientId: auth.clientId });
}
