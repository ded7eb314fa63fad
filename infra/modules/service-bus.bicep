// Service Bus namespace with Sluice's two queues:
// - ingress: session-enabled (sessionId = stream), so per-stream order holds up to the trigger;
// - notifications: what Sluice publishes (load finished, stream suspended) for downstream consumers.
// Local (SAS) auth is disabled: producers and the app authenticate with Entra.
param name string
param location string
param tags object
@allowed(['Standard', 'Premium'])
param skuName string
@description('Messaging units (Premium only: 1, 2, 4, 8 or 16).')
param premiumCapacity int
param ingressQueueName string
param notificationsQueueName string
@description('Delivery attempts before a message is dead-lettered with its reason.')
param maxDeliveryCount int
@description('Log Analytics workspace receiving this resource\'s diagnostic logs.')
param logAnalyticsWorkspaceId string
@description('Name of the app identity (same resource group); its principal gets the roles below.')
param appIdentityName string

var serviceBusDataOwner = '090c5cfd-751d-490a-894a-3ce6f1109419'
var serviceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
    capacity: skuName == 'Premium' ? premiumCapacity : null
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    // Producers and Flex instances reach it over the internet; Entra auth is the gate.
    publicNetworkAccess: 'Enabled'
  }
}

resource ingress 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: ingressQueueName
  properties: {
    requiresSession: true
    lockDuration: 'PT1M'
    maxDeliveryCount: maxDeliveryCount
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
  }
}

resource notifications 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: notificationsQueueName
  properties: {
    requiresSession: false
    lockDuration: 'PT1M'
    maxDeliveryCount: maxDeliveryCount
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P7D'
  }
}

// Data Owner on the ingress queue only: receiving needs Listen, and target-based scaling reads the queue's
// message count, which needs Manage; with Listen alone the scale controller falls back to slow incremental scaling.
resource ingressOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(ingress.id, appIdentity.id, serviceBusDataOwner)
  scope: ingress
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataOwner)
  }
}

resource notificationsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(notifications.id, appIdentity.id, serviceBusDataSender)
  scope: notifications
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSender)
  }
}

// Entity operations and the namespace metrics (incoming, dead-lettered, throttled) for queries beyond the DLQ alert.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      { category: 'OperationalLogs', enabled: true }
    ]
    metrics: [{ category: 'AllMetrics', enabled: true }]
  }
}

output id string = namespace.id
output name string = namespace.name
// Host name from the endpoint ('https://<ns>.servicebus.windows.net:443/'), so sovereign clouds work too.
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
output ingressQueueName string = ingress.name
output notificationsQueueName string = notifications.name
