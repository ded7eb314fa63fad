/**
 * `eltRecordLoad`: writes a load's ledger entry `load:<loadId>` (docs/elt.md "Ledger"), partitioned by the
 * pipeline name. An upsert by that id, so the orchestration rewrites one entry as the load runs and ends, and a
 * retried write replaces instead of adding.
 */
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../../core/errors';
import { getLedger } from '../app-services';

export const recordLoadActivityName = 'eltRecordLoad';

const count = z.number().int().nonnegative();

export const recordLoadInputSchema = z
  .object({
    loadId: z.string().min(1),
    pipeline: z.string().min(1),
    outcome: z.enum(['running', 'succeeded', 'failed']),
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }).optional(),
    sources: z.array(z.object({ file: z.string().min(1), etag: z.string().min(1), bytes: count }).strict()),
    counts: z.object({ rows: count, rejects: count, inserted: count, updated: count, skippedByGuard: count }).partial(),
    durations: z.record(z.string().regex(/InMs$/), z.number().min(0)),
    error: z.object({ code: z.string(), message: z.string() }).strict().optional(),
  })
  .strict();

export type RecordLoadInput = z.infer<typeof recordLoadInputSchema>;

export async function recordLoad(rawInput: unknown): Promise<{ id: string }> {
  const parsed = recordLoadInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('InvalidArgument', `${recordLoadActivityName}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: correct the eltLoad orchestration that builds it.`);
  }
  const { loadId, pipeline, sources, ...entry } = parsed.data;
  const ledger = await getLedger();
  const written = await ledger.upsertEntry({ stream: pipeline, kind: 'load', ref: loadId, files: sources.map((s) => s.file), sources, ...entry });
  return { id: written.id };
}

df.app.activity(recordLoadActivityName, { handler: recordLoad });
