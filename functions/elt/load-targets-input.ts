/**
 * The parts of the `eltLoad` input that come from a pipeline's Cosmos DB target, export and notification
 * settings (docs/elt.md), resolved when the load starts so one load sees one configuration. Pure apart from the
 * outbox container setting.
 */
import { ENV_KEYS, type PipelineConfig, type SluiceConfig } from '../../core/config';
import { SluiceError } from '../../core/errors';
import type { EltCosmosTarget, EltLoadInput } from '../../orchestrators/elt-load-input';
import type { EltExport } from '../../orchestrators/elt-outputs-input';

function configInvalid(pipeline: PipelineConfig, field: string, message: string): SluiceError {
  return new SluiceError('ConfigInvalid', `Pipeline "${pipeline.name}" ${field}: ${message}`, { ids: { pipeline: pipeline.name, target: field } });
}

/** Documents: id from keyColumns, the partition key a top-level string field, the version a typed column. */
export function cosmosTargetOf(pipeline: PipelineConfig): EltCosmosTarget {
  if (pipeline.target.kind !== 'cosmos') throw configInvalid(pipeline, 'target.kind', `is "${pipeline.target.kind}", not "cosmos". To fix: report this; the caller checks the kind.`);
  const { database, container, partitionKeyPath } = pipeline.target;
  if (!/^\/[A-Za-z0-9_]+$/.test(partitionKeyPath)) {
    throw configInvalid(pipeline, 'target.partitionKeyPath', `"${partitionKeyPath}" is nested; loads write top-level fields. To fix: partition the container by a top-level field, e.g. "/customer".`);
  }
  if (pipeline.versionColumn === undefined) {
    throw configInvalid(pipeline, 'versionColumn', 'is not set; a Cosmos DB load guards every write with it. To fix: set versionColumn.');
  }
  const partitionKeyField = partitionKeyPath.slice(1);
  const partitionType = pipeline.columns[partitionKeyField];
  if (partitionKeyField !== 'id' && partitionType !== undefined && partitionType !== 'text') {
    throw configInvalid(pipeline, `columns.${partitionKeyField}`, `the partition key column has type ${partitionType}; Cosmos DB loads partition by a string. To fix: declare it as text.`);
  }
  if (pipeline.columns.id !== undefined && !(pipeline.keyColumns.length === 1 && pipeline.keyColumns[0] === 'id')) {
    throw configInvalid(pipeline, 'keyColumns', 'a column "id" is declared but is not the only key column; the document id is built from the key columns. To fix: make keyColumns ["id"] or rename the column.');
  }
  // With maxRejectRatio 1 no load can fail on rejects: nothing to check first.
  const validateBeforeWrite = pipeline.target.validateBeforeWrite && pipeline.maxRejectRatio < 1;
  return { database, container, partitionKeyPath, validateBeforeWrite, shape: { keyColumns: pipeline.keyColumns, partitionKeyField, versionColumn: pipeline.versionColumn, columns: pipeline.columns } };
}

function exportOf(pipeline: PipelineConfig): EltExport | undefined {
  const spec = pipeline.export;
  if (spec === undefined) return undefined;
  const outboxContainer = process.env[ENV_KEYS.outboxContainer] || 'outbox';
  if (spec.query !== undefined) return { outboxContainer, format: spec.format, partitionBy: spec.partitionBy, source: { kind: 'query', sql: spec.query } };
  if (pipeline.target.kind !== 'postgres') throw configInvalid(pipeline, 'export.aggregate', 'needs a "postgres" target (it reads the target table). To fix: use export.query, or a postgres target.');
  const { groupBy, measures } = spec.aggregate!;
  return { outboxContainer, format: spec.format, partitionBy: spec.partitionBy, source: { kind: 'aggregate', schema: pipeline.target.schema, table: pipeline.target.table, groupBy, measures } };
}

/** The pipeline's export and notification targets (names resolved; the schema checked that they exist). */
export function loadOutputsOf(config: SluiceConfig, pipeline: PipelineConfig): Pick<EltLoadInput, 'export' | 'notify'> {
  const notify = pipeline.notify.map((name) => config.notificationTargets.find((t) => t.name === name)!);
  const spec = exportOf(pipeline);
  return { ...(spec === undefined ? {} : { export: spec }), ...(notify.length === 0 ? {} : { notify }) };
}
