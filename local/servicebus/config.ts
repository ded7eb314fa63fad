/**
 * Emulator configuration: the queues created at start. Field names and defaults follow the Azure queue
 * properties (durations in milliseconds, per the style guide); unknown keys are rejected so a config that
 * asks for an unsupported feature (topics, duplicate detection, forwarding) fails loudly instead of being ignored.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const queueConfigSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,259}$/, 'letters, digits, ".", "_" and "-"'),
  /** @default false */
  requiresSession: z.boolean().default(false),
  /** Peek-lock and session lock duration. @default 60000 (Azure default PT1M) */
  lockDurationInMs: z.number().int().min(1).max(300_000).default(60_000),
  /** Deliveries before the broker dead-letters with MaxDeliveryCountExceeded. @default 10 */
  maxDeliveryCount: z.number().int().min(1).default(10),
  /** Upper bound on every message's TTL; absent = never expires. */
  defaultMessageTimeToLiveInMs: z.number().int().min(1).optional(),
  /** Expired messages go to `$DeadLetterQueue` instead of being dropped. @default false */
  deadLetteringOnMessageExpiration: z.boolean().default(false),
  /** Queue size quota; sends past it fail with QuotaExceeded. @default 1024 */
  maxSizeInMegabytes: z.number().int().min(1).default(1024),
});

export const emulatorConfigSchema = z.strictObject({
  queues: z.array(queueConfigSchema).min(1),
});

export type QueueConfig = z.infer<typeof queueConfigSchema>;
export type QueueConfigInput = z.input<typeof queueConfigSchema>;

function formatIssues(error: z.ZodError, where: string): string {
  const lines = error.issues.map((i) => `  at "${i.path.join('.')}": ${i.message}`);
  return `Service Bus emulator config invalid (${where}):\n${lines.join('\n')}\n` +
    'To fix: see local/servicebus/README.md for the supported queue properties.';
}

/** Validates queues given in code; throws naming every bad field. */
export function parseQueues(queues: readonly QueueConfigInput[], where = 'queues option'): QueueConfig[] {
  const parsed = emulatorConfigSchema.safeParse({ queues });
  if (!parsed.success) throw new Error(formatIssues(parsed.error, where));
  const names = new Set<string>();
  for (const q of parsed.data.queues) {
    const key = q.name.toLowerCase();
    if (names.has(key)) throw new Error(`Service Bus emulator config invalid (${where}): queue "${q.name}" declared twice. To fix: keep one.`);
    names.add(key);
  }
  return parsed.data.queues;
}

/** Reads a JSON file `{ "queues": [...] }`. */
export function loadConfigFile(path: string): QueueConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`Service Bus emulator config file "${path}" is not readable JSON: ${(e as Error).message}. To fix: pass a JSON file { "queues": [...] }.`, { cause: e });
  }
  const parsed = emulatorConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(formatIssues(parsed.error, path));
  return parseQueues(parsed.data.queues, path);
}
