/**
 * `eltExportLoad`: the optional export step after a load's merge (docs/elt.md "Export"). Runs the pipeline's
 * aggregate (or SELECT) read-only against the PostgreSQL target, ordered by the partition key, and writes one
 * file per key to the outbox container as `<pipeline>/<loadId>/<key>.csv` (or `.ndjson`), then a manifest.
 * Safe to retry: names are deterministic, a retry overwrites its files and removes ones it no longer produces.
 */
import * as df from 'durable-functions';
import { z } from 'zod';
import { ensureContainer } from '../../connectors/blob';
import { writeOutbox } from '../../connectors/blob/outbox';
import { buildExportSql, streamExportRows } from '../../connectors/postgres/export-query';
import { SluiceError } from '../../core/errors';
import { eltExportSchema, type ExportLoadResult } from '../../orchestrators/elt-outputs-input';
import { eltBlobService, eltPgPool } from '../elt/runtime';
import { safeSegment } from '../pipeline-target';

export const exportLoadActivityName = 'eltExportLoad';

export const exportLoadInputSchema = z.object({ loadId: z.string().min(1), pipeline: z.string().min(1), export: eltExportSchema }).strict();

export type ExportLoadInput = z.infer<typeof exportLoadInputSchema>;

export async function exportLoad(rawInput: unknown): Promise<ExportLoadResult> {
  const parsed = exportLoadInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('InvalidArgument', `${exportLoadActivityName}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: start loads through POST /api/loads.`);
  }
  const { loadId, pipeline, export: spec } = parsed.data;
  const container = eltBlobService().getContainerClient(spec.outboxContainer);
  await ensureContainer(container);
  const prefix = `${safeSegment(pipeline)}/${loadId}/`;
  const sql = buildExportSql(spec.source, spec.partitionBy);
  const written = await writeOutbox(container, streamExportRows(eltPgPool(), sql), {
    prefix, partitionBy: spec.partitionBy, format: spec.format, fileStem: safeSegment, manifest: { loadId, pipeline },
  });
  return { container: spec.outboxContainer, prefix, files: written.files.length, rows: written.rows, manifest: written.manifest };
}

df.app.activity(exportLoadActivityName, { handler: exportLoad });
