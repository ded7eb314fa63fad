// Sluice runtime configuration for a SaaS CRM mirrored per country into a warehouse: one pipeline per CRM object
// type serving that object's stream in every country (streams "<country>_<object>"), reads capped at 3 concurrent
// calls to the licensed CRM API, writes at 4 concurrent loads into the warehouse, streams suspended after 5 failed
// attempts, and a webhook told about every completed load. Apply: bicep local-deploy main.bicepparam.
targetScope = 'local'

@description('Base URL of the Sluice function app (deployment output of infra/main.bicep).')
param endpoint string

@secure()
@description('Function key of the Sluice app (set SLUICE_FUNCTION_KEY in the environment).')
param functionKey string

@description('Countries mirrored from the CRM.')
param countries string[]

@description('CRM object types; one pipeline each.')
param objectTypes string[]

@description('Most concurrent reads from the CRM API (licence limit).')
param crmCapacity int

@description('Most concurrent loads into the warehouse.')
param warehouseCapacity int

@description('Webhook told about completed and failed loads.')
param completionWebhookUrl string

@description('Streams an operator keeps suspended (e.g. while a target table is migrated); they must have received events. Removing one here does not resume it: declare it with suspended: false for one deployment.')
param suspendedStreams string[] = []

// One pipeline per CRM object type; the names are also listed in the `declared` output.
var pipelineNames = [for objectType in objectTypes: 'crm-${toLower(objectType)}']

extension sluice with {
  endpoint: endpoint
  functionKey: functionKey
}

resource crm 'Sluice/semaphores@2026-11-01' = {
  name: 'source:crm'
  capacity: crmCapacity
}

resource warehouse 'Sluice/semaphores@2026-11-01' = {
  name: 'target:warehouse'
  capacity: warehouseCapacity
}

resource crmPolicy 'Sluice/streamPolicies@2026-11-01' = {
  name: 'crm'
  suspendAfterFailures: 5
  retry: {
    maxRetries: 3
    retryDelayInMs: 2000
  }
}

resource loadComplete 'Sluice/notifications@2026-11-01' = {
  kind: 'webhook'
  name: 'load-complete'
  url: completionWebhookUrl
}

resource pipelines 'Sluice/pipelines@2026-11-01' = [
  for (objectType, i) in objectTypes: {
    name: pipelineNames[i]
    streams: [for country in countries: '${country}_${objectType}']
    source: {
      kind: 'blob'
      prefix: 'crm/${objectType}/'
    }
    sourceSemaphore: 'crm'
    target: {
      kind: 'postgres'
      schema: 'crm'
      table: toLower(objectType)
    }
    targetSemaphore: 'warehouse'
    keyColumns: ['id']
    versionColumn: 'system_modstamp'
    policy: crmPolicy.name
    notify: [loadComplete.name]
    dependsOn: [crm, warehouse]
  }
]

// Desired operator state of streams: applied through the streams API (suspend / resume), nothing is stored.
resource streamStates 'Sluice/streams@2026-11-01' = [
  for stream in suspendedStreams: {
    name: stream
    suspended: true
    reason: 'Suspended by the configuration deployment (infra/config).'
  }
]

output pipelineStatus string[] = [for i in range(0, length(objectTypes)): pipelines[i].status]

// Everything this file declares, per management API kind: `npm run config:prune` deletes stored items not listed.
output declared object = {
  pipelines: pipelineNames
  semaphores: [crm.name, warehouse.name]
  streamPolicies: [crmPolicy.name]
  notificationTargets: [loadComplete.name]
}
