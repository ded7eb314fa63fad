// The Sluice operations workbook (streams, lag, suspended streams, semaphore saturation, loads, failures),
// built only from the telemetry contract in docs/telemetry.md plus the Durable host's own traces.
param environmentName string
param location string
param tags object
param appInsightsId string

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook resource names must be GUIDs; stable per resource group and environment.
  name: guid(resourceGroup().id, 'sluice-workbook', environmentName)
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Sluice operations (${environmentName})'
    category: 'workbook'
    sourceId: appInsightsId
    serializedData: loadTextContent('../workbook/sluice.workbook.json')
  }
}

output id string = workbook.id
