// Production: zone redundant, one always-ready durable instance, PgBouncer-capable PostgreSQL, Premium Service
// Bus (isolation, 1 MB messages), Key Vault purge protection, 90-day log retention.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'prod')
param location = readEnvironmentVariable('AZURE_LOCATION', 'swedencentral')
param durableBackend = readEnvironmentVariable('SLUICE_DURABLE_BACKEND', 'DurableTaskScheduler')
param schedulerSkuName = 'Consumption'
param postgresAdminObjectId = readEnvironmentVariable('SLUICE_PG_ADMIN_OBJECT_ID', '')
param postgresAdminPrincipalName = readEnvironmentVariable('SLUICE_PG_ADMIN_NAME', '')
param alertEmail = readEnvironmentVariable('SLUICE_ALERT_EMAIL', '')
param zoneRedundant = true
param instanceMemoryMB = 2048
param maximumInstanceCount = 100
param alwaysReadyDurable = 2
param serviceBusSku = 'Premium'
param serviceBusPremiumCapacity = 1
param postgresSkuTier = 'GeneralPurpose'
param postgresSkuName = 'Standard_D2ds_v5'
param postgresStorageSizeGB = 128
param keyVaultPurgeProtection = true
param logRetentionInDays = 90
