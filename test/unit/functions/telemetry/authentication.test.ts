import { ManagedIdentityCredential } from '@azure/identity';
import { ingestionCredential, parseAuthenticationString } from '../../../../functions/telemetry/authentication';

describe('telemetry ingestion authentication', () => {
  it('reads the Entra setting infra/ gives the Functions host, keys in any case', () => {
    expect(parseAuthenticationString('ClientId=1234;Authorization=AAD')).toEqual({ aad: true, clientId: '1234' });
    expect(parseAuthenticationString('authorization=aad')).toEqual({ aad: true });
    expect(parseAuthenticationString(undefined)).toEqual({ aad: false });
    expect(parseAuthenticationString('Authorization=Key')).toEqual({ aad: false });
  });

  it('uses the managed identity for Entra auth and nothing for key auth', () => {
    expect(ingestionCredential('Authorization=AAD;ClientId=1234')).toBeInstanceOf(ManagedIdentityCredential);
    expect(ingestionCredential('')).toBeUndefined();
  });
});
