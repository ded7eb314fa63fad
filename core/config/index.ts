export { ENV_KEYS, type EnvKey } from './env-keys';
export { cosmosId, objectName, settingName, SQL_IDENTIFIER, sqlIdentifier } from './identifiers';
export { BLOB_GLOB, blobGlobToRegExp, globLiteralPrefix, matchesBlobGlob } from './blob-glob';
export { findByStream, matchesStreamPattern, STREAM_PATTERN } from './patterns';
export { sourceSchema, type SourceConfig } from './source';
export { COLUMN_TYPES, columnTypeSchema, targetSchema, type TargetConfig } from './target';
export {
  coalescingSchema,
  retrySchema,
  semaphoreSchema,
  streamPolicySchema,
  type SemaphoreConfig,
  type StreamPolicyConfig,
} from './policy';
export { exportSchema, type ExportConfig } from './export';
export { notificationTargetSchema, type NotificationTargetConfig } from './notification';
export { dataFormatSchema, pipelineSchema, type PipelineConfig } from './pipeline';
export { sluiceConfigSchema, type SluiceConfig, type SluiceConfigInput } from './schema';
export { findPipeline, formatPath, parseConfig, parseConfigJson, resolvePolicy, type ParseConfigOptions } from './parse';
export {
  canonicalJson,
  checkItemInContext,
  CONFIG_KINDS,
  configItemSchemas,
  configKindSchema,
  diffItems,
  ITEM_NAME,
  itemName,
  mergeConfigItems,
  parseConfigItem,
  type ConfigItem,
  type ConfigKind,
  type ItemChange,
  type ItemIssue,
} from './items';
