// The Sluice Function App on Flex Consumption (Node 22), running as the user-assigned identity. Every connection
// is identity-based: app settings carry endpoints and the identity's client id, never a key or connection secret.
// App settings read by the app are named SLUICE_* and listed in docs/deploy.md.
param planName string
param appName string
param location string
param tags object
@description('Tag azd uses to find the app it deploys the code to (service name in azure.yaml).')
param azdServiceName string
param identityId string
param identityClientId string
param identityName string
@allowed([512, 2048, 4096])
param instanceMemoryMB int
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int
@description('Always-ready instances for the "durable" group (orchestrators, entities, activities); 0 = scale to zero.')
param alwaysReadyDurable int
param zoneRedundant bool
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param deploymentContainerName string
param landingContainerName string
param rejectsContainerName string
param outboxContainerName string
@description('Application Insights component (same resource group) the app sends telemetry to.')
param appInsightsName string
@allowed(['AzureStorage', 'DurableTaskScheduler'])
param durableBackend string
param taskHubName string
@description('Durable Task Scheduler endpoint; empty with the Azure Storage backend.')
param schedulerEndpoint string
param serviceBusNamespace string
param ingressQueueName string
param notificationsQueueName string
param cosmosEndpoint string
param cosmosDatabaseName string
param cosmosRunsContainerName string
param cosmosWindowsContainerName string
param cosmosConfigContainerName string
param postgresHost string
param postgresPort int
param postgresDatabaseName string
param keyVaultUri string

var identitySettings = {
  credential: 'managedidentity'
  clientId: identityClientId
}
var hostStorage = {
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  AzureWebJobsStorage__credential: identitySettings.credential
  AzureWebJobsStorage__clientId: identitySettings.clientId
  // Host keys live in Key Vault, read and written with the identity.
  AzureWebJobsSecretStorageType: 'keyvault'
  AzureWebJobsSecretStorageKeyVaultUri: keyVaultUri
  AzureWebJobsSecretStorageKeyVaultClientId: identityClientId
}
var telemetry = {
  // The component has local auth disabled: telemetry is accepted only with this identity's token.
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // Read by @azure/identity's DefaultAzureCredential / ManagedIdentityCredential in the app's own SDK clients.
  AZURE_CLIENT_ID: identityClientId
}
var sluice = {
  SLUICE_DURABLE_BACKEND: durableBackend
  SLUICE_TASK_HUB: taskHubName
  SLUICE_SERVICEBUS__fullyQualifiedNamespace: serviceBusNamespace
  SLUICE_SERVICEBUS__credential: identitySettings.credential
  SLUICE_SERVICEBUS__clientId: identitySettings.clientId
  SLUICE_INGRESS_QUEUE: ingressQueueName
  SLUICE_NOTIFICATIONS_QUEUE: notificationsQueueName
  SLUICE_BLOB__serviceUri: blobEndpoint
  SLUICE_BLOB__credential: identitySettings.credential
  SLUICE_BLOB__clientId: identitySettings.clientId
  SLUICE_LANDING_CONTAINER: landingContainerName
  SLUICE_REJECTS_CONTAINER: rejectsContainerName
  SLUICE_OUTBOX_CONTAINER: outboxContainerName
  SLUICE_COSMOS_ENDPOINT: cosmosEndpoint
  SLUICE_COSMOS_DATABASE: cosmosDatabaseName
  SLUICE_COSMOS_RUNS_CONTAINER: cosmosRunsContainerName
  SLUICE_COSMOS_WINDOWS_CONTAINER: cosmosWindowsContainerName
  SLUICE_COSMOS_CONFIG_CONTAINER: cosmosConfigContainerName
  SLUICE_PG_HOST: postgresHost
  SLUICE_PG_PORT: string(postgresPort)
  SLUICE_PG_DATABASE: postgresDatabaseName
  // The app logs in as its identity's PostgreSQL role (created after deployment, docs/deploy.md) with an Entra token.
  SLUICE_PG_USER: identityName
  SLUICE_PG_AUTH: 'entra'
  SLUICE_KEY_VAULT_URI: keyVaultUri
}
// host.json is shared by both backends; the backend-specific provider settings are applied as host.json overrides.
var durableAzureStorage = {
  // partitionCount caps how many workers run orchestrations/entities and is fixed when the hub is created: use the max.
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__partitionCount: '16'
  // Flex guidance: poll at most every 10 s so idle-to-busy latency stays low.
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval: '00:00:10'
}
var durableScheduler = {
  SLUICE_DTS_CONNECTION: 'Endpoint=${schedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'SLUICE_DTS_CONNECTION'
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: {
    reserved: true
    zoneRedundant: zoneRedundant
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // The HTTP API (status, semaphores, suspend/resume) must be reachable; function keys or Entra guard it.
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReadyDurable > 0 ? [{ name: 'durable', instanceCount: alwaysReadyDurable }] : []
      }
      runtime: { name: 'node', version: '22' }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(
    hostStorage,
    telemetry,
    // Identifies the component only: ingestion needs the identity's token (local auth is off).
    { APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString },
    sluice,
    durableBackend == 'AzureStorage' ? durableAzureStorage : durableScheduler
  )
}

// Deployments authenticate with Entra (OneDeploy with a token); basic-auth publishing credentials stay off.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

output id string = app.id
output name string = app.name
output planName string = plan.name
output defaultHostName string = app.properties.defaultHostName
