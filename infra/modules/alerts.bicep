// Alert rules on Sluice's telemetry contract (docs/telemetry.md) and on Service Bus dead-letter queues.
// Notifications go to an optional action group (email); without one the alerts still fire in Azure Monitor.
param environmentName string
param location string
param tags object
param appInsightsId string
param serviceBusNamespaceId string
@description('E-mail address for alert notifications; empty = no action group.')
param alertEmail string
@description('Dead-lettered messages per queue above which the DLQ alert fires (0 = any).')
param deadLetterThreshold int

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-sluice-${environmentName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'sluice'
    enabled: true
    emailReceivers: [{ name: 'operators', emailAddress: alertEmail, useCommonAlertSchema: true }]
  }
}

var actionGroups = empty(alertEmail) ? [] : [actionGroup.id]

// One alert per stream (split by streamId) so each suspended stream is its own incident.
resource streamSuspended 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'sluice-stream-suspended-${environmentName}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Sluice: stream suspended (${environmentName})'
    description: 'A stream failed after its retries and was suspended; nothing is processed for it until an operator resumes it (docs: suspend/resume).'
    severity: 1
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: loadTextContent('../alerts/stream-suspended.kql')
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [{ name: 'streamId', operator: 'Include', values: ['*'] }]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: false
    actions: { actionGroups: actionGroups }
  }
}

resource loadFailed 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'sluice-load-failed-${environmentName}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Sluice: load failed (${environmentName})'
    description: 'An ELT load failed (reject threshold exceeded or a chunk failed after retries).'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: loadTextContent('../alerts/load-failed.kql')
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [{ name: 'pipeline', operator: 'Include', values: ['*'] }]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: false
    actions: { actionGroups: actionGroups }
  }
}

// Dead-lettered messages are events Sluice could not accept (invariant 5: they are kept with the reason); the
// alert fires when a queue's DLQ grows past the threshold and resolves once operators drain it.
resource deadLetters 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'sluice-dlq-growth-${environmentName}'
  location: 'global'
  tags: tags
  properties: {
    description: 'Messages are accumulating in a Service Bus dead-letter queue (split by queue).'
    severity: 2
    enabled: true
    scopes: [serviceBusNamespaceId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadletteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [{ name: 'EntityName', operator: 'Include', values: ['*'] }]
          operator: 'GreaterThan'
          threshold: deadLetterThreshold
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [for id in actionGroups: { actionGroupId: id }]
  }
}

output actionGroupId string = empty(alertEmail) ? '' : actionGroup.id
