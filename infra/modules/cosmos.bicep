// Cosmos DB for NoSQL, serverless: Sluice's ledger (runs and windows, partitioned by stream so one stream's
// history is one logical partition) and the config store (pipelines, semaphores, policies as documents).
// Keys are disabled; the app gets the built-in data-plane Data Contributor role on the ledger database only.
param name string
param location string
param tags object
param databaseName string
param runsContainerName string
param windowsContainerName string
param configContainerName string
@description('Name of the app identity (same resource group); its principal gets the roles below.')
param appIdentityName string

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    capabilities: [{ name: 'EnableServerless' }]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    // Flex instances without VNet integration reach it publicly; Entra RBAC is the gate.
    publicNetworkAccess: 'Enabled'
    backupPolicy: { type: 'Continuous', continuousModeProperties: { tier: 'Continuous7Days' } }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

var containers = [
  { name: runsContainerName, partitionKey: '/stream' }
  { name: windowsContainerName, partitionKey: '/stream' }
  { name: configContainerName, partitionKey: '/kind' }
]

resource ledgerContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: { paths: [container.partitionKey], kind: 'Hash', version: 2 }
      }
    }
  }
]

// Cosmos DB Built-in Data Contributor (a Cosmos data-plane role, not an Azure RBAC role), scoped to the database.
resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(database.id, appIdentity.id, '00000000-0000-0000-0000-000000000002')
  properties: {
    principalId: appIdentity.properties.principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
    scope: '${account.id}/dbs/${database.name}'
  }
}

output id string = account.id
output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
