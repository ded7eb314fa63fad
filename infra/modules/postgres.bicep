// PostgreSQL flexible server, the target database. Entra authentication only (passwords disabled): there is no
// admin password to keep anywhere. An Entra group (DBAs or the deploying pipeline) is the server admin; the app's
// own role is created after deployment with pgaadauth_create_principal (docs/deploy.md), never as an admin.
// PgBouncer (port 6432) pools the many short connections Flex instances open; Azure offers it only on the
// General Purpose and Memory Optimized tiers, so on Burstable the app connects on 5432.
param name string
param location string
param tags object
@allowed(['Burstable', 'GeneralPurpose', 'MemoryOptimized'])
param skuTier string
@description('Compute SKU, e.g. Standard_B1ms (Burstable) or Standard_D2ds_v5 (GeneralPurpose).')
param skuName string
param storageSizeGB int
@allowed(['16', '17'])
param postgresVersion string
@allowed(['Disabled', 'ZoneRedundant', 'SameZone'])
param highAvailability string
param databaseName string
@description('Object id of the Entra principal (preferably a group) made server admin; empty = none yet.')
param adminObjectId string
@description('Display name of that principal (the PostgreSQL role name it logs in as).')
param adminPrincipalName string
@allowed(['Group', 'User', 'ServicePrincipal'])
param adminPrincipalType string
@description('Log Analytics workspace receiving this resource\'s diagnostic logs.')
param logAnalyticsWorkspaceId string

var pgBouncerEnabled = skuTier != 'Burstable'
var configurations = concat(
  [
    { name: 'require_secure_transport', value: 'on' }
    { name: 'ssl_min_protocol_version', value: 'TLSv1.2' }
  ],
  pgBouncerEnabled ? [{ name: 'pgbouncer.enabled', value: 'true' }] : []
)

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: skuName, tier: skuTier }
  properties: {
    version: postgresVersion
    storage: { storageSizeGB: storageSizeGB, autoGrow: 'Enabled' }
    backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: highAvailability }
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: tenant().tenantId
    }
    // Public endpoint limited to sources inside Azure by the firewall rule below (Flex outbound IPs are not fixed);
    // that includes other tenants' resources, so the Entra-only login is the real gate. Private access needs VNet integration (not deployed yet).
    network: { publicNetworkAccess: 'Enabled' }
  }
}

resource admin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = if (!empty(adminObjectId)) {
  parent: server
  name: empty(adminObjectId) ? 'none' : adminObjectId
  properties: {
    principalName: adminPrincipalName
    principalType: adminPrincipalType
    tenantId: tenant().tenantId
  }
}

// The server applies one change at a time and rejects concurrent ones ("ServerIsBusy"), so the child resources
// below are chained: admin -> firewall rule -> database -> parameters (one by one).
resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
  dependsOn: [admin]
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
  dependsOn: [allowAzure]
}

@batchSize(1)
resource settings 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = [
  for setting in configurations: {
    parent: server
    name: setting.name
    properties: { value: setting.value, source: 'user-override' }
    dependsOn: [database]
  }
]

// Server logs (connections, errors, slow statements) and metrics such as connection counts for PgBouncer sizing.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: server
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      { category: 'PostgreSQLLogs', enabled: true }
    ]
    metrics: [{ category: 'AllMetrics', enabled: true }]
  }
}

output id string = server.id
output name string = server.name
output host string = server.properties.fullyQualifiedDomainName
output port int = pgBouncerEnabled ? 6432 : 5432
output databaseName string = database.name
