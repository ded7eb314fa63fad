/**
 * What the dashboard shows besides streams and semaphores (docs/api.md "Dashboard"): ELT loads in flight with their
 * progress (running `eltLoad` instances and their custom status), the ingress queue's dead-letters (peeked with the
 * Service Bus SDK: count and the newest with their reason) and the newest blobs of the rejects container. Each part
 * is read on its own: one that fails (say, Service Bus not configured) carries its error, the others still answer.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import * as df from 'durable-functions';
import { ENV_KEYS } from '../../core/config';
import { isSluiceError } from '../../core/errors';
import { eltLoadOrchestrationName } from '../../orchestrators/elt-load';
import { getRejectsContainer } from '../app-services';

/** Bounds: the page refreshes every few seconds, so each part reads at most this much. */
export const ACTIVITY_LIMITS = { loads: 20, deadLetterScan: 1_000, deadLetterNewest: 10, rejectsScan: 5_000, rejectsNewest: 10 } as const;

export interface Part<T> {
  value: T | null;
  /** Why this part could not be read (what to fix), or null. */
  error: string | null;
}

export interface LoadInFlight {
  loadId: string;
  pipeline: string | null;
  runtimeStatus: string;
  createdAt: string;
  lastUpdatedAt: string;
  /** The load's custom status (chunks done/total, rows, rejects), null before planning finished. */
  progress: unknown;
}

export interface DeadLetters {
  queue: string;
  /** Messages counted by peeking, at most `ACTIVITY_LIMITS.deadLetterScan` (`capped` then says there are more). */
  count: number;
  capped: boolean;
  newest: Array<{ messageId: string | null; sessionId: string | null; enqueuedAt: string | null; reason: string | null; description: string | null }>;
}

export interface RecentRejects {
  container: string;
  scanned: number;
  capped: boolean;
  newest: Array<{ name: string; lastModified: string | null; bytes: number | null }>;
}

async function part<T>(read: () => Promise<T>): Promise<Part<T>> {
  try {
    return { value: await read(), error: null };
  } catch (error) {
    return { value: null, error: isSluiceError(error) ? error.message : `${(error as Error).message ?? String(error)}` };
  }
}

export async function loadsInFlight(client: df.DurableClient): Promise<LoadInFlight[]> {
  const statuses = await client.getStatusBy({ runtimeStatus: [df.OrchestrationRuntimeStatus.Running, df.OrchestrationRuntimeStatus.Pending] });
  return statuses
    .filter((s) => s.name === eltLoadOrchestrationName)
    .sort((a, b) => String(b.createdTime).localeCompare(String(a.createdTime)))
    .slice(0, ACTIVITY_LIMITS.loads)
    .map((s) => {
      const input = (s.input ?? {}) as { pipeline?: unknown };
      return {
        loadId: s.instanceId,
        pipeline: typeof input.pipeline === 'string' ? input.pipeline : null,
        runtimeStatus: String(s.runtimeStatus),
        createdAt: new Date(s.createdTime).toISOString(),
        lastUpdatedAt: new Date(s.lastUpdatedTime).toISOString(),
        progress: s.customStatus ?? null,
      };
    });
}

/**
 * A client per read, closed after it: the SDK keeps its peek cursor per entity on a connection, so a cached client
 * would continue each refresh's peek where the previous one stopped and count only what arrived since.
 * Locally `SLUICE_SERVICEBUS` holds a connection string; on Azure `SLUICE_SERVICEBUS__fullyQualifiedNamespace` with
 * the managed identity.
 */
function createServiceBus(): ServiceBusClient {
  const connectionString = process.env[ENV_KEYS.serviceBusConnection]?.trim();
  const namespace = process.env[`${ENV_KEYS.serviceBusConnection}__fullyQualifiedNamespace`]?.trim();
  if (connectionString) return new ServiceBusClient(connectionString);
  if (namespace) return new ServiceBusClient(namespace, new DefaultAzureCredential());
  throw new Error(`Service Bus is not configured. To fix: set ${ENV_KEYS.serviceBusConnection} (a connection string) or ` +
    `${ENV_KEYS.serviceBusConnection}__fullyQualifiedNamespace (with the managed identity).`);
}

function text(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

export async function ingressDeadLetters(): Promise<DeadLetters> {
  const queue = process.env[ENV_KEYS.ingressQueue]?.trim() || 'ingress';
  const client = createServiceBus();
  const receiver = client.createReceiver(queue, { subQueueType: 'deadLetter' });
  try {
    const seen: ServiceBusReceivedMessage[] = [];
    // Peek pages from the start of the DLQ; the newest are the last ones peeked.
    while (seen.length < ACTIVITY_LIMITS.deadLetterScan) {
      const page = await receiver.peekMessages(Math.min(100, ACTIVITY_LIMITS.deadLetterScan - seen.length));
      if (page.length === 0) break;
      seen.push(...page);
    }
    const more = seen.length === ACTIVITY_LIMITS.deadLetterScan && (await receiver.peekMessages(1)).length > 0;
    return {
      queue,
      count: seen.length,
      capped: more,
      newest: seen.slice(-ACTIVITY_LIMITS.deadLetterNewest).reverse().map((m) => ({
        messageId: text(m.messageId),
        sessionId: text(m.sessionId),
        enqueuedAt: m.enqueuedTimeUtc?.toISOString() ?? null,
        reason: text(m.deadLetterReason),
        description: text(m.deadLetterErrorDescription),
      })),
    };
  } finally {
    await client.close();
  }
}

export async function recentRejects(): Promise<RecentRejects> {
  const container = await getRejectsContainer();
  const blobs: RecentRejects['newest'] = [];
  let capped = false;
  for await (const blob of container.listBlobsFlat()) {
    if (blobs.length === ACTIVITY_LIMITS.rejectsScan) {
      capped = true;
      break;
    }
    blobs.push({ name: blob.name, lastModified: blob.properties.lastModified?.toISOString() ?? null, bytes: blob.properties.contentLength ?? null });
  }
  const newest = [...blobs].sort((a, b) => String(b.lastModified).localeCompare(String(a.lastModified))).slice(0, ACTIVITY_LIMITS.rejectsNewest);
  return { container: container.containerName, scanned: blobs.length, capped, newest };
}

export interface DashboardActivity {
  loads: Part<LoadInFlight[]>;
  deadLetters: Part<DeadLetters>;
  rejects: Part<RecentRejects>;
}

export async function dashboardActivity(client: df.DurableClient): Promise<DashboardActivity> {
  const [loads, deadLetters, rejects] = await Promise.all([part(() => loadsInFlight(client)), part(ingressDeadLetters), part(recentRejects)]);
  return { loads, deadLetters, rejects };
}
