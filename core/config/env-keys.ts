/**
 * Environment variables (app settings) Sluice reads, in one place. Values are read in functions/ and local/,
 * never in core/; configuration errors name the variable to fix. The same names are set by infra/ (Azure) and by
 * local/services (npm start, tests): see docs/deploy.md and docs/local-development.md.
 *
 * Connections follow the Azure Functions convention: `SLUICE_BLOB` and `SLUICE_SERVICEBUS` are connection *names*.
 * Locally the setting itself holds a connection string; on Azure it is a prefix of identity-based settings
 * (`SLUICE_BLOB__serviceUri`, `SLUICE_SERVICEBUS__fullyQualifiedNamespace`, `__credential`, `__clientId`).
 */
export const ENV_KEYS = {
  /** The Sluice configuration as JSON (pipelines, semaphores, stream policies, notification targets). */
  config: 'SLUICE_CONFIG',
  /** Durable task hub name (host.json reads `%SLUICE_TASK_HUB%`). */
  taskHub: 'SLUICE_TASK_HUB',
  /** Connection name of Blob storage (landing, rejects, outbox). */
  blobConnection: 'SLUICE_BLOB',
  /** Blob container where files land for ELT loads. @default landing */
  landingContainer: 'SLUICE_LANDING_CONTAINER',
  /** `true` registers the blob trigger that starts loads for pipelines with `source.loadOnArrival`. @default unset (off) */
  loadsOnArrival: 'SLUICE_LOADS_ON_ARRIVAL',
  /** Blob container for rejected rows. @default rejects */
  rejectsContainer: 'SLUICE_REJECTS_CONTAINER',
  /** Blob container for export files (one per key). @default outbox */
  outboxContainer: 'SLUICE_OUTBOX_CONTAINER',
  /** Connection name of the Service Bus namespace (ingress trigger, notifications). */
  serviceBusConnection: 'SLUICE_SERVICEBUS',
  /** Session-enabled ingress queue name. @default ingress */
  ingressQueue: 'SLUICE_INGRESS_QUEUE',
  /** Queue for completion/failure notifications. @default notifications */
  notificationsQueue: 'SLUICE_NOTIFICATIONS_QUEUE',
  /** NCRONTAB schedule of the telemetry gauges (docs/telemetry.md). @default 0 * * * * * (every minute) */
  metricsSchedule: 'SLUICE_METRICS_SCHEDULE',
  /** Cosmos DB account endpoint (ledger, config store, Cosmos targets). */
  cosmosEndpoint: 'SLUICE_COSMOS_ENDPOINT',
  /** Cosmos DB account key: local stand-in only; absent on Azure, where the managed identity is used. */
  cosmosKey: 'SLUICE_COSMOS_KEY',
  /** `false` for the local stand-in, whose account document advertises https endpoints it does not serve. @default true */
  cosmosEndpointDiscovery: 'SLUICE_COSMOS_ENDPOINT_DISCOVERY',
  /** Cosmos DB database of the ledger and config store. @default sluice */
  cosmosDatabase: 'SLUICE_COSMOS_DATABASE',
  /** Cosmos DB container of the runtime configuration store. @default config */
  configContainer: 'SLUICE_CONFIG_CONTAINER',
  /** NCRONTAB schedule of the semaphore reaper timer (functions/semaphore-reaper.ts). @default 0 * * * * * (every minute) */
  reaperSchedule: 'SLUICE_REAPER_SCHEDULE',
  /** PostgreSQL connection string with a password: local and password-auth servers. Wins over the SLUICE_PG_* parts. */
  postgresConnectionString: 'SLUICE_PG_CONNECTION_STRING',
  /** PostgreSQL server host name (Entra auth on Azure). */
  postgresHost: 'SLUICE_PG_HOST',
  /** PostgreSQL port: 6432 through PgBouncer, 5432 direct. @default 5432 */
  postgresPort: 'SLUICE_PG_PORT',
  /** PostgreSQL database. @default sluice */
  postgresDatabase: 'SLUICE_PG_DATABASE',
  /** PostgreSQL user (on Azure: the managed identity's name). */
  postgresUser: 'SLUICE_PG_USER',
} as const;

export type EnvKey = (typeof ENV_KEYS)[keyof typeof ENV_KEYS];
