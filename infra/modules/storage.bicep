// One storage account for the host (AzureWebJobsStorage), the Flex deployment package, the Durable task hub
// (Azure Storage backend) and Sluice's own containers: landing (files to load), rejects (bad rows with line
// numbers) and outbox (exports and notifications payloads). Shared keys are disabled: identity only.
param name string
param location string
param tags object
@description('Name of the blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string
param landingContainerName string
param rejectsContainerName string
param outboxContainerName string
@description('Name of the app identity (same resource group); its principal gets the roles below.')
param appIdentityName string
@allowed(['Standard_LRS', 'Standard_ZRS'])
param skuName string

// Built-in role definition ids (data plane).
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

// Blob Data Owner: the host manages its own containers (keys, leases), reads the deployment package, and the app
// reads landing files and writes rejects/outbox. Queue + Table Data Contributor: Durable's control/work-item
// queues and history/instance tables (Azure Storage backend); with either backend the host writes diagnostic
// events to tables and the blob trigger keeps its poison queue here. This account serves only this app.
var appRoles = [storageBlobDataOwner, storageQueueDataContributor, storageTableDataContributor]

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Reachable from Flex instances without VNet integration; every request still needs an Entra token.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: 7 }
    containerDeleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in [deploymentContainerName, landingContainerName, rejectsContainerName, outboxContainerName]: {
    parent: blobService
    name: container
    properties: { publicAccess: 'None' }
  }
]

resource appRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appRoles: {
    name: guid(account.id, appIdentity.id, roleId)
    scope: account
    properties: {
      principalId: appIdentity.properties.principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
