/**
 * Environment variables (app settings) Sluice reads, in one place. Values are read in functions/ and local/,
 * never in core/; configuration errors name the variable to fix.
 */
export const ENV_KEYS = {
  /** The Sluice configuration as JSON (pipelines, semaphores, stream policies, notification targets). */
  config: 'SLUICE_CONFIG',
  /** PostgreSQL connection string of the target database. */
  postgresUrl: 'SLUICE_POSTGRES_URL',
  /** Cosmos DB account endpoint (identity-based access) for the ledger and Cosmos targets. */
  cosmosEndpoint: 'SLUICE_COSMOS_ENDPOINT',
  /** Cosmos DB account key; unset on Azure (Entra identity). Set locally for the stand-in. */
  cosmosKey: 'SLUICE_COSMOS_KEY',
  /** "false" turns Cosmos endpoint discovery off (needed by the local stand-in). */
  cosmosEndpointDiscovery: 'SLUICE_COSMOS_ENDPOINT_DISCOVERY',
  /** Cosmos DB container of the runtime configuration store. Default: "config". */
  configContainer: 'SLUICE_CONFIG_CONTAINER',
  /** Cosmos DB database holding the ledger (and the configuration store). */
  ledgerDatabase: 'SLUICE_LEDGER_DATABASE',
  /** Service Bus fully qualified namespace of the ingress queue. */
  serviceBusNamespace: 'SLUICE_SERVICEBUS_NAMESPACE',
  /** Session-enabled ingress queue name. */
  ingressQueue: 'SLUICE_INGRESS_QUEUE',
  /** Blob container where files land for ELT loads. */
  landingContainer: 'SLUICE_LANDING_CONTAINER',
  /** Blob container for rejected rows. */
  rejectsContainer: 'SLUICE_REJECTS_CONTAINER',
  /** Blob container for export files (one per key). */
  outboxContainer: 'SLUICE_OUTBOX_CONTAINER',
} as const;

export type EnvKey = (typeof ENV_KEYS)[keyof typeof ENV_KEYS];
