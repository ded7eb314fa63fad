// Key Vault for the secrets that remain: the Functions host keys (AzureWebJobsSecretStorageType=keyvault, so
// function and admin keys never sit in a storage blob) and operator-supplied secrets such as notification
// webhook signing keys. RBAC authorization only (no access policies).
param name string
param location string
param tags object
@description('Purge protection cannot be turned off once on: enable it for production.')
param enablePurgeProtection bool
@description('Log Analytics workspace receiving this resource\'s diagnostic logs.')
param logAnalyticsWorkspaceId string
@description('Name of the app identity (same resource group); its principal gets the roles below.')
param appIdentityName string

// Secrets Officer, not User: the Functions host creates and rotates its own keys in the vault.
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: enablePurgeProtection ? true : null
    // Flex instances without VNet integration reach it publicly; Entra RBAC is the gate.
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

resource appSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
  }
}

// Who read or changed which secret: the audit trail for the secrets that remain.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      { category: 'AuditEvent', enabled: true }
    ]
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
