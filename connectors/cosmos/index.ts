/** Cosmos DB connector: client factory, ledger, version-guarded bulk upsert sink. See docs/connectors.md. */
export { createCosmosClient, type CreateCosmosClientOptions } from './client';
export {
  Ledger, ensureLedgerContainer, ledgerEntrySchema, ledgerEntryId, ledgerLandedSchema,
  type LedgerEntry, type LedgerEntryInput, type LedgerPage, type ListCommittedOptions, type ListLedgerOptions, type ListWindowsOptions,
} from './ledger';
export { guardedBulkUpsert, compareVersions, type GuardedUpsertOptions, type GuardedUpsertResult } from './guarded-upsert';
export { translateCosmosError } from './cosmos-errors';
export { ConfigStore, ensureConfigContainer, type ConfigAuditEntry, type ConfigWriteOptions, type PutConfigResult, type StoredConfigItem } from './config-store';
