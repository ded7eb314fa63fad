// Durable Task Scheduler (managed Durable backend), deployed only when durableBackend = 'DurableTaskScheduler'.
// The app authenticates with its managed identity (Durable Task Data Contributor on the task hub only).
param name string
param location string
param tags object
param taskHubName string
@allowed(['Consumption', 'Dedicated'])
param skuName string
@description('CIDR ranges allowed to reach the scheduler endpoint. Flex outbound IPs are not fixed, hence 0.0.0.0/0 by default; Entra auth still applies.')
param ipAllowlist string[]
@description('Name of the app identity (same resource group); its principal gets the roles below.')
param appIdentityName string

var durableTaskDataContributor = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: { name: skuName }
    ipAllowlist: ipAllowlist
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

resource appDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskHub.id, appIdentity.id, durableTaskDataContributor)
  scope: taskHub
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributor)
  }
}

output id string = scheduler.id
output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
