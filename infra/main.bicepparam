// Development environment: scale to zero, smallest tiers. azd sets AZURE_ENV_NAME and AZURE_LOCATION.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'swedencentral')
param durableBackend = readEnvironmentVariable('SLUICE_DURABLE_BACKEND', 'AzureStorage')
param postgresAdminObjectId = readEnvironmentVariable('SLUICE_PG_ADMIN_OBJECT_ID', '')
param postgresAdminPrincipalName = readEnvironmentVariable('SLUICE_PG_ADMIN_NAME', '')
param alertEmail = readEnvironmentVariable('SLUICE_ALERT_EMAIL', '')
param maximumInstanceCount = 40
param alwaysReadyDurable = 0
param serviceBusSku = 'Standard'
param postgresSkuTier = 'Burstable'
param postgresSkuName = 'Standard_B1ms'
