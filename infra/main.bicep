// Sluice on Azure: one resource group holding the Function App (Flex Consumption, Node 22) and everything it
// uses, connected by one user-assigned identity with data-plane roles scoped to each resource.
// Deploy: `azd up`, or `az deployment sub create -l <region> -f infra/main.bicep -p infra/main.bicepparam`.
targetScope = 'subscription'

@minLength(1)
@maxLength(20)
@description('Environment name (dev, prod, ...): names the resource group and goes into every resource name.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string

@description('Resource group name; empty = rg-sluice-<environmentName>.')
param resourceGroupName string = ''

@allowed(['AzureStorage', 'DurableTaskScheduler'])
@description('Durable backend: the storage account (default) or the managed Durable Task Scheduler.')
param durableBackend string = 'AzureStorage'

@allowed(['Consumption', 'Dedicated'])
param schedulerSkuName string = 'Consumption'

@description('CIDR ranges allowed to reach the Durable Task Scheduler (Flex outbound IPs are not fixed).')
param schedulerIpAllowlist string[] = ['0.0.0.0/0']

@description('Durable task hub name: letters and digits, starting with a letter; a new name means a new, empty hub.')
param taskHubName string = 'sluice'

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Upper bound on Flex instances; keep it x per-instance DB concurrency under the PostgreSQL/PgBouncer budget.')
param maximumInstanceCount int = 40

@minValue(0)
@description('Always-ready instances for the durable group (0 = scale to zero; 1 recommended for production).')
param alwaysReadyDurable int = 0

@description('Zone redundancy for the Flex plan, storage (ZRS) and PostgreSQL HA.')
param zoneRedundant bool = false

@allowed(['Standard', 'Premium'])
param serviceBusSku string = 'Standard'

@allowed([1, 2, 4, 8, 16])
param serviceBusPremiumCapacity int = 1

@minValue(1)
param serviceBusMaxDeliveryCount int = 10

@allowed(['Burstable', 'GeneralPurpose', 'MemoryOptimized'])
@description('PostgreSQL tier; PgBouncer is available only on GeneralPurpose and MemoryOptimized.')
param postgresSkuTier string = 'Burstable'

param postgresSkuName string = 'Standard_B1ms'

@minValue(32)
param postgresStorageSizeGB int = 32

@allowed(['16', '17'])
param postgresVersion string = '17'

@description('Object id of the Entra principal (preferably a group) made PostgreSQL admin; empty = set later.')
param postgresAdminObjectId string = ''

@description('Display name of that principal.')
param postgresAdminPrincipalName string = ''

@allowed(['Group', 'User', 'ServicePrincipal'])
param postgresAdminPrincipalType string = 'Group'

@description('Enable Key Vault purge protection (irreversible; recommended for production).')
param keyVaultPurgeProtection bool = false

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('E-mail for alert notifications; empty = alerts fire without notifications.')
param alertEmail string = ''

@minValue(0)
param deadLetterAlertThreshold int = 0

var abbrs = loadJsonContent('abbreviations.json')
var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName, app: 'sluice' }
var names = {
  identity: '${abbrs.identity}sluice-${environmentName}'
  logAnalytics: '${abbrs.logAnalytics}sluice-${environmentName}-${token}'
  appInsights: '${abbrs.appInsights}sluice-${environmentName}-${token}'
  storage: '${abbrs.storage}${token}'
  serviceBus: '${abbrs.serviceBus}sluice-${token}'
  cosmos: '${abbrs.cosmos}sluice-${token}'
  postgres: '${abbrs.postgres}sluice-${token}'
  keyVault: '${abbrs.keyVault}sluice${token}'
  scheduler: '${abbrs.scheduler}sluice-${token}'
  plan: '${abbrs.plan}sluice-${environmentName}-${token}'
  app: '${abbrs.functionApp}sluice-${environmentName}-${token}'
}
// Flex deploys the package to this container; the name is unique per app as the platform expects.
var deploymentContainerName = 'app-package-${take(token, 7)}'
var useScheduler = durableBackend == 'DurableTaskScheduler'

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: empty(resourceGroupName) ? '${abbrs.resourceGroup}sluice-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: { name: names.identity, location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    appIdentityName: names.identity
  }
  // The identity is looked up by name (a deploy-time constant, so role assignment names stay predictable).
  dependsOn: [identity]
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: zoneRedundant ? 'Standard_ZRS' : 'Standard_LRS'
    deploymentContainerName: deploymentContainerName
    landingContainerName: 'landing'
    rejectsContainerName: 'rejects'
    outboxContainerName: 'outbox'
    appIdentityName: names.identity
  }
  dependsOn: [identity]
}

module scheduler 'modules/durable-task-scheduler.bicep' = if (useScheduler) {
  scope: rg
  params: {
    name: names.scheduler
    location: location
    tags: tags
    taskHubName: taskHubName
    skuName: schedulerSkuName
    ipAllowlist: schedulerIpAllowlist
    appIdentityName: names.identity
  }
  // The identity is looked up by name (a deploy-time constant, so role assignment names stay predictable).
  dependsOn: [identity]
}

module serviceBus 'modules/service-bus.bicep' = {
  scope: rg
  params: {
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    name: names.serviceBus
    location: location
    tags: tags
    skuName: serviceBusSku
    premiumCapacity: serviceBusPremiumCapacity
    ingressQueueName: 'ingress'
    notificationsQueueName: 'notifications'
    maxDeliveryCount: serviceBusMaxDeliveryCount
    appIdentityName: names.identity
  }
  // The identity is looked up by name (a deploy-time constant, so role assignment names stay predictable).
  dependsOn: [identity]
}

module cosmos 'modules/cosmos.bicep' = {
  scope: rg
  params: {
    name: names.cosmos
    location: location
    tags: tags
    databaseName: 'sluice'
    runsContainerName: 'runs'
    windowsContainerName: 'windows'
    configContainerName: 'config'
    appIdentityName: names.identity
  }
  // The identity is looked up by name (a deploy-time constant, so role assignment names stay predictable).
  dependsOn: [identity]
}

module postgres 'modules/postgres.bicep' = {
  scope: rg
  params: {
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    name: names.postgres
    location: location
    tags: tags
    skuTier: postgresSkuTier
    skuName: postgresSkuName
    storageSizeGB: postgresStorageSizeGB
    postgresVersion: postgresVersion
    highAvailability: zoneRedundant && postgresSkuTier != 'Burstable' ? 'ZoneRedundant' : 'Disabled'
    databaseName: 'sluice'
    adminObjectId: postgresAdminObjectId
    adminPrincipalName: postgresAdminPrincipalName
    adminPrincipalType: postgresAdminPrincipalType
  }
}

module keyVault 'modules/key-vault.bicep' = {
  scope: rg
  params: {
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    appIdentityName: names.identity
  }
  // The identity is looked up by name (a deploy-time constant, so role assignment names stay predictable).
  dependsOn: [identity]
}

module functionApp 'modules/function-app.bicep' = {
  scope: rg
  params: {
    planName: names.plan
    appName: names.app
    location: location
    tags: tags
    azdServiceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    identityName: identity.outputs.name
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyDurable: alwaysReadyDurable
    zoneRedundant: zoneRedundant
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    landingContainerName: 'landing'
    rejectsContainerName: 'rejects'
    outboxContainerName: 'outbox'
    appInsightsName: names.appInsights
    durableBackend: durableBackend
    taskHubName: taskHubName
    schedulerEndpoint: useScheduler ? scheduler!.outputs.endpoint : ''
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    ingressQueueName: serviceBus.outputs.ingressQueueName
    notificationsQueueName: serviceBus.outputs.notificationsQueueName
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    cosmosRunsContainerName: 'runs'
    cosmosWindowsContainerName: 'windows'
    cosmosConfigContainerName: 'config'
    postgresHost: postgres.outputs.host
    postgresPort: postgres.outputs.port
    postgresDatabaseName: postgres.outputs.databaseName
    keyVaultUri: keyVault.outputs.uri
  }
  // The module looks the App Insights component up by name; it exists by then because this module already
  // waits for keyVault (and serviceBus, postgres), which wait for monitoring's workspace.
}

module workbook 'modules/workbook.bicep' = {
  scope: rg
  params: {
    environmentName: environmentName
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.appInsightsId
  }
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  params: {
    environmentName: environmentName
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.appInsightsId
    serviceBusNamespaceId: serviceBus.outputs.id
    alertEmail: alertEmail
    deadLetterThreshold: deadLetterAlertThreshold
  }
}

// Names and endpoints only: no keys, connection secrets or tokens (checked by test/unit/infra).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SLUICE_APP_NAME string = functionApp.outputs.name
output SLUICE_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output SLUICE_IDENTITY_NAME string = identity.outputs.name
output SLUICE_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output SLUICE_STORAGE_ACCOUNT string = storage.outputs.name
output SLUICE_SERVICEBUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output SLUICE_COSMOS_ACCOUNT string = cosmos.outputs.name
output SLUICE_POSTGRES_SERVER string = postgres.outputs.name
output SLUICE_POSTGRES_HOST string = postgres.outputs.host
output SLUICE_KEY_VAULT_NAME string = keyVault.outputs.name
output SLUICE_APP_INSIGHTS_NAME string = monitoring.outputs.appInsightsName
output SLUICE_DURABLE_SCHEDULER_NAME string = useScheduler ? scheduler!.outputs.name : ''
