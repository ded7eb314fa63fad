// Security posture of the compiled infrastructure (infra/out/main.json, built by scripts/infra-check.sh):
// what docs/deploy.md promises about secrets, transport security, network exposure and least privilege.
import {
  allResources,
  allTemplates,
  appSettingsOf,
  ArmTemplate,
  ensureCompiled,
  expandVariables,
  FoundResource,
  readJson,
} from './arm-template';

let main: ArmTemplate;
let resources: FoundResource[];

beforeAll(() => {
  ensureCompiled();
  main = readJson<ArmTemplate>('main.json');
  resources = allResources(main);
}, 300_000);

const ofType = (type: string): FoundResource[] => resources.filter((f) => f.resource.type.toLowerCase() === type.toLowerCase());
const props = (f: FoundResource): Record<string, unknown> => f.resource.properties ?? {};

// Data-plane roles the app identity may hold, and why (docs/deploy.md "Identity and roles").
const allowedRoles: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '090c5cfd-751d-490a-894a-3ce6f1109419': 'Azure Service Bus Data Owner',
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39': 'Azure Service Bus Data Sender',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  '0ad04412-c4d5-4796-b79c-f76d14c8d402': 'Durable Task Data Contributor',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
};
const guidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

describe('infrastructure security posture (compiled ARM)', () => {
  it('compiles to one template with every Sluice resource type', () => {
    const types = new Set(resources.map((f) => f.resource.type));
    for (const type of [
      'Microsoft.Web/sites', 'Microsoft.Web/serverfarms', 'Microsoft.Storage/storageAccounts',
      'Microsoft.ServiceBus/namespaces/queues', 'Microsoft.DocumentDB/databaseAccounts',
      'Microsoft.DBforPostgreSQL/flexibleServers', 'Microsoft.KeyVault/vaults', 'Microsoft.Insights/components',
      'Microsoft.OperationalInsights/workspaces', 'Microsoft.Insights/workbooks', 'Microsoft.Insights/scheduledQueryRules',
      'Microsoft.Insights/metricAlerts', 'Microsoft.DurableTask/schedulers', 'Microsoft.ManagedIdentity/userAssignedIdentities',
    ]) {
      expect(types).toContain(type);
    }
  });

  it('puts no secret in any output, at any module level', () => {
    for (const { template, module } of allTemplates(main)) {
      for (const [name, output] of Object.entries(template.outputs ?? {})) {
        const where = `${module} output ${name}`;
        expect([where, output.type.toLowerCase()]).not.toEqual([where, expect.stringMatching(/^secure/)]);
        expect(where).not.toMatch(/(password|secret|key|token|connectionstring)$/i);
        expect([where, JSON.stringify(output.value)]).not.toEqual([where, expect.stringMatching(/list[A-Za-z]*\(/)]);
      }
    }
  });

  it('never reads an access key, SAS or connection secret anywhere in the deployment', () => {
    expect(JSON.stringify(main)).not.toMatch(/list(Keys|ConnectionStrings|AccountSas|ServiceSas|Credentials|Secrets)\(/i);
  });

  it('serves HTTPS only', () => {
    for (const site of ofType('Microsoft.Web/sites')) expect(props(site).httpsOnly).toBe(true);
    for (const account of ofType('Microsoft.Storage/storageAccounts')) expect(props(account).supportsHttpsTrafficOnly).toBe(true);
  });

  it('requires TLS 1.2 or newer on every endpoint that has a setting for it', () => {
    for (const site of ofType('Microsoft.Web/sites')) {
      expect(props(site).siteConfig).toMatchObject({ minTlsVersion: '1.2', scmMinTlsVersion: '1.2', ftpsState: 'Disabled' });
    }
    for (const account of ofType('Microsoft.Storage/storageAccounts')) expect(props(account).minimumTlsVersion).toBe('TLS1_2');
    for (const ns of ofType('Microsoft.ServiceBus/namespaces')) expect(props(ns).minimumTlsVersion).toBe('1.2');
    for (const cosmos of ofType('Microsoft.DocumentDB/databaseAccounts')) expect(props(cosmos).minimalTlsVersion).toBe('Tls12');
    for (const config of ofType('Microsoft.DBforPostgreSQL/flexibleServers/configurations')) {
      const settings = expandVariables(config.resource.properties, config.template);
      expect(settings).toContain("'require_secure_transport', 'value', 'on'");
      expect(settings).toContain("'ssl_min_protocol_version', 'value', 'TLSv1.2'");
    }
  });

  it('exposes public endpoints only behind Entra auth: no anonymous blobs, no shared keys, no SAS, no passwords', () => {
    for (const account of ofType('Microsoft.Storage/storageAccounts')) {
      expect(props(account)).toMatchObject({ allowBlobPublicAccess: false, allowSharedKeyAccess: false, publicNetworkAccess: 'Enabled' });
    }
    for (const container of ofType('Microsoft.Storage/storageAccounts/blobServices/containers')) {
      expect(props(container).publicAccess).toBe('None');
    }
    for (const ns of ofType('Microsoft.ServiceBus/namespaces')) expect(props(ns)).toMatchObject({ disableLocalAuth: true, publicNetworkAccess: 'Enabled' });
    for (const cosmos of ofType('Microsoft.DocumentDB/databaseAccounts')) expect(props(cosmos)).toMatchObject({ disableLocalAuth: true, publicNetworkAccess: 'Enabled' });
    for (const ai of ofType('Microsoft.Insights/components')) expect(props(ai).DisableLocalAuth).toBe(true);
    for (const vault of ofType('Microsoft.KeyVault/vaults')) expect(props(vault)).toMatchObject({ enableRbacAuthorization: true, publicNetworkAccess: 'Enabled' });
    for (const pg of ofType('Microsoft.DBforPostgreSQL/flexibleServers')) {
      expect(props(pg).authConfig).toMatchObject({ activeDirectoryAuth: 'Enabled', passwordAuth: 'Disabled' });
    }
    // The only PostgreSQL firewall rule is the "Azure services" rule (0.0.0.0): no internet ranges.
    for (const rule of ofType('Microsoft.DBforPostgreSQL/flexibleServers/firewallRules')) {
      expect(props(rule)).toEqual({ startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' });
    }
    for (const policy of ofType('Microsoft.Web/sites/basicPublishingCredentialsPolicies')) expect(props(policy).allow).toBe(false);
  });

  it('scopes every role assignment to a resource, never to the subscription or a resource group', () => {
    const assignments = ofType('Microsoft.Authorization/roleAssignments');
    expect(assignments.length).toBeGreaterThanOrEqual(6);
    for (const a of assignments) {
      expect(a.module).not.toBe('main');
      expect(a.resource.scope).toMatch(/^\[resourceId\('Microsoft\.(?!Resources\/)[A-Za-z]+\/[A-Za-z/]+'/);
      expect(props(a).principalType).toBe('ServicePrincipal');
    }
    for (const a of ofType('Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments')) {
      expect(String(props(a).scope)).toMatch(/\/dbs\//);
    }
  });

  it('grants only the data-plane roles the app needs (no Owner, Contributor or User Access Administrator)', () => {
    const granted = new Set<string>();
    for (const a of ofType('Microsoft.Authorization/roleAssignments')) {
      const ids = expandVariables(props(a).roleDefinitionId, a.template).match(guidPattern) ?? [];
      expect(ids.length).toBeGreaterThan(0);
      ids.forEach((id) => granted.add(id.toLowerCase()));
    }
    for (const id of granted) expect([id, allowedRoles[id]]).toEqual([id, expect.any(String)]);
    for (const a of ofType('Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments')) {
      // Cosmos DB Built-in Data Contributor (data plane); not the account-management roles.
      expect(String(props(a).roleDefinitionId)).toContain('sqlRoleDefinitions/00000000-0000-0000-0000-000000000002');
    }
  });

  it('keeps keys out of app settings: every connection is identity-based', () => {
    const [appSettings, ...others] = ofType('Microsoft.Web/sites/config').filter((f) => f.resource.name.includes("'appsettings'"));
    expect(others).toHaveLength(0);
    const settings = appSettingsOf(appSettings!);
    expect(Object.keys(settings).length).toBeGreaterThan(20);
    for (const [name, value] of Object.entries(settings)) {
      const expanded = expandVariables(value, appSettings!.template);
      expect([name, expanded]).not.toEqual([name, expect.stringMatching(/AccountKey=|SharedAccessKey|SharedAccessSignature|Password=|sig=/i)]);
      // The App Insights connection string only identifies the component: local auth is disabled, so
      // ingestion needs the identity's token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
      if (name !== 'APPLICATIONINSIGHTS_CONNECTION_STRING') expect(name).not.toMatch(/(key|secret|password|connection_?string)$/i);
    }
    for (const prefix of ['AzureWebJobsStorage', 'SLUICE_SERVICEBUS', 'SLUICE_BLOB']) {
      expect(expandVariables(settings[`${prefix}__credential`], appSettings!.template)).toContain('managedidentity');
      expect(settings).toHaveProperty(`${prefix}__clientId`);
    }
    expect(settings).not.toHaveProperty('AzureWebJobsStorage');
    expect(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toMatch(/Authorization=AAD/);
    expect(settings.SLUICE_DTS_CONNECTION).toMatch(/Authentication=ManagedIdentity/);
  });

  it('runs on Flex Consumption with Node 22 and none of the settings Flex rejects', () => {
    const [site] = ofType('Microsoft.Web/sites');
    expect(props(site!).functionAppConfig).toMatchObject({ runtime: { name: 'node', version: '22' } });
    expect(ofType('Microsoft.Web/serverfarms')[0]!.resource.sku).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
    const [appSettings] = ofType('Microsoft.Web/sites/config');
    const names = Object.keys(appSettingsOf(appSettings!));
    for (const forbidden of ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE',
      'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', 'WEBSITE_CONTENTSHARE', 'SCM_DO_BUILD_DURING_DEPLOYMENT']) {
      expect(names).not.toContain(forbidden);
    }
  });

  it('sends Key Vault audit events, Service Bus and PostgreSQL logs to Log Analytics', () => {
    const settings = ofType('Microsoft.Insights/diagnosticSettings');
    const scoped = settings.map((f) => String(f.resource.scope));
    for (const type of ['Microsoft.KeyVault/vaults', 'Microsoft.ServiceBus/namespaces', 'Microsoft.DBforPostgreSQL/flexibleServers']) {
      expect(scoped.some((scope) => scope.includes(`'${type}'`))).toBe(true);
    }
    for (const f of settings) expect(props(f).workspaceId).toBe("[parameters('logAnalyticsWorkspaceId')]");
    const vault = settings.find((f) => String(f.resource.scope).includes('Microsoft.KeyVault/vaults'))!;
    expect(props(vault).logs).toEqual([{ category: 'AuditEvent', enabled: true }]);
  });

  it('builds both parameter files against main.bicep', () => {
    for (const file of ['main.json', 'main.prod.json']) {
      const params = readJson<{ parameters: Record<string, { value: unknown }> }>(`params/${file}`);
      expect(params.parameters).toHaveProperty('environmentName');
      expect(params.parameters).toHaveProperty('location');
    }
    expect(readJson<{ parameters: Record<string, { value: unknown }> }>('params/main.prod.json').parameters.zoneRedundant?.value).toBe(true);
  });
});
