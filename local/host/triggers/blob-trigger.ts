/**
 * blobTrigger against Blob Storage (Azurite locally) with the real @azure/storage-blob SDK: each function's
 * container is listed every `pollIntervalInMs`; a blob that is new or whose ETag changed fires the function
 * once. Receipts (function + blob + ETag) live in the data directory, so a restart does not fire again. A failing
 * blob is retried on later polls up to 5 attempts (Azure's default maxDequeueCount), then recorded as poisoned.
 */
import path from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { resolveSettingReferences } from '../config';
import type { DurableHost, FunctionBinding, RegisteredFunction, RpcTypedData } from '../contracts';
import { LocalHostError } from '../errors';
import { clientInputData } from '../worker/client-inputs';
import type { AppInvoker } from '../worker/invoker';
import type { HostLogger } from '../log';
import { parseBlobPath, type BlobPathPattern } from './blob-path';
import { readJsonFile, writeJsonFile } from './json-file';

export const maxBlobAttempts = 5;

export interface BlobTriggerOptions {
  functions: RegisteredFunction[];
  invoker: AppInvoker;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  logger: HostLogger;
  durable: () => DurableHost | undefined;
  /** @default 2000 */
  pollIntervalInMs?: number;
}

export interface BlobTriggers {
  stop(): Promise<void>;
}

const receiptSchema = z.object({ etag: z.string(), status: z.enum(['done', 'poisoned']).optional(), attempts: z.number().optional() });
const receiptsSchema = z.record(z.string(), receiptSchema);
type Receipt = z.infer<typeof receiptSchema>;

interface BlobWatch {
  fn: RegisteredFunction;
  pattern: BlobPathPattern;
  container: ContainerClient;
}

function connectionString(binding: FunctionBinding, env: NodeJS.ProcessEnv, functionName: string): string {
  const name = typeof binding.connection === 'string' && binding.connection !== '' ? binding.connection : 'AzureWebJobsStorage';
  const value = env[name] ?? env[`AzureWebJobs${name}`];
  if (value === undefined || value === '') {
    throw new LocalHostError(
      'ConfigInvalid',
      `The blob trigger of function '${functionName}' uses the connection "${name}", which is not set. ` +
        `To fix: set "${name}" to a storage connection string in local.settings.json Values.`,
    );
  }
  return value;
}

export function startBlobTriggers(options: BlobTriggerOptions): BlobTriggers {
  const { invoker, logger } = options;
  const pollIntervalInMs = options.pollIntervalInMs ?? 2000;
  const receiptsFile = path.join(options.dataDir, 'blob-receipts.json');
  const parsed = receiptsSchema.safeParse(readJsonFile(receiptsFile) ?? {});
  const receipts: Record<string, Receipt> = parsed.success ? parsed.data : {};
  const watches: BlobWatch[] = [];
  for (const fn of options.functions) {
    if (fn.triggerType.toLowerCase() !== 'blobtrigger') continue;
    const binding = fn.bindings[fn.triggerBindingName] as FunctionBinding;
    const where = `The blob path of function '${fn.name}'`;
    const pattern = parseBlobPath(resolveSettingReferences(String(binding.path ?? ''), options.env, where), where);
    const service = BlobServiceClient.fromConnectionString(connectionString(binding, options.env, fn.name));
    watches.push({ fn, pattern, container: service.getContainerClient(pattern.container) });
    logger.log('information', 'Blob trigger started', { functionName: fn.name, container: pattern.container, pollIntervalInMs });
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  const fireOne = async (watch: BlobWatch, blobName: string, etag: string, params: Record<string, string>) => {
    const key = `${watch.fn.name}|${watch.pattern.container}/${blobName}`;
    const previous = receipts[key];
    if (previous?.etag === etag && (previous.status !== undefined || (previous.attempts ?? 0) >= maxBlobAttempts)) return;
    const attempts = previous?.etag === etag ? (previous.attempts ?? 0) : 0;
    const blob = watch.container.getBlobClient(blobName);
    const [content, properties] = await Promise.all([blob.downloadToBuffer(), blob.getProperties()]);
    const triggerMetadata: Record<string, RpcTypedData> = {
      BlobTrigger: { string: `${watch.pattern.container}/${blobName}` },
      Uri: { string: blob.url },
      Properties: { json: JSON.stringify({ ContentType: properties.contentType, Length: properties.contentLength, ETag: etag, LastModified: properties.lastModified }) },
      Metadata: { json: JSON.stringify(properties.metadata ?? {}) },
    };
    for (const [name, value] of Object.entries(params)) triggerMetadata[name] = { string: JSON.stringify(value) };
    try {
      await invoker.invoke(watch.fn.name, {
        inputData: [{ name: watch.fn.triggerBindingName, data: { bytes: new Uint8Array(content) } }, ...clientInputData(watch.fn, options.durable())],
        triggerMetadata,
      });
      receipts[key] = { etag, status: 'done' };
    } catch (error) {
      const failed = attempts + 1;
      const poisoned = failed >= maxBlobAttempts;
      receipts[key] = poisoned ? { etag, status: 'poisoned', attempts: failed } : { etag, attempts: failed };
      logger.log(poisoned ? 'error' : 'warning', poisoned ? 'Blob poisoned after the last attempt' : 'Blob function failed; retrying on a later poll', {
        functionName: watch.fn.name,
        blob: `${watch.pattern.container}/${blobName}`,
        attempts: failed,
        error: (error as Error)?.message,
      });
    }
    writeJsonFile(receiptsFile, receipts);
  };

  const pollOnce = async () => {
    for (const watch of watches) {
      if (stopped) return;
      try {
        if (!(await watch.container.exists())) continue;
        for await (const item of watch.container.listBlobsFlat()) {
          if (stopped) return;
          const params = watch.pattern.match(item.name);
          const etag = item.properties.etag;
          if (params === undefined || etag === undefined) continue;
          await fireOne(watch, item.name, etag, params);
        }
      } catch (error) {
        logger.log('warning', 'Blob trigger poll failed; retrying on the next poll', {
          functionName: watch.fn.name,
          container: watch.pattern.container,
          error: (error as Error)?.message,
        });
      }
    }
  };

  const schedule = () => {
    if (stopped || watches.length === 0) return;
    timer = setTimeout(() => {
      polling = pollOnce().finally(schedule);
    }, pollIntervalInMs);
  };
  if (watches.length > 0) polling = pollOnce().finally(schedule);

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await polling;
    },
  };
}
