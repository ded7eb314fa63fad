/**
 * The Sluice configuration: one zod schema, the source of truth for the TypeScript types, the management API
 * validation and (through `.describe()`) the Bicep extension's type docs.
 */
import { z } from 'zod';
import { notificationTargetSchema } from './notification';
import { globLiteralPrefix } from './blob-glob';
import { pipelineSchema, type PipelineConfig } from './pipeline';
import { semaphoreSchema, streamPolicySchema } from './policy';

export const sluiceConfigSchema = z
  .object({
    pipelines: z.array(pipelineSchema).default([]).describe('Pipelines: stream patterns -> source -> target. Default: [].'),
    semaphores: z.array(semaphoreSchema).default([]).describe('Global concurrency caps for sources and targets. Default: [].'),
    streamPolicies: z
      .array(streamPolicySchema)
      .default([])
      .describe('Retry, suspension, coalescing and lease settings. A policy named "default" is built in with the documented defaults. Default: [].'),
    notificationTargets: z.array(notificationTargetSchema).default([]).describe('Service Bus queues and webhooks to notify. Default: [].'),
  })
  .strict()
  .superRefine((config, ctx) => {
    unique(config.semaphores.map((s) => `${s.kind}:${s.name}`), 'semaphores', 'kind and name', ctx);
    unique(config.pipelines.map((p) => p.name), 'pipelines', 'name', ctx);
    unique(config.streamPolicies.map((p) => p.name), 'streamPolicies', 'name', ctx);
    unique(config.notificationTargets.map((t) => t.name), 'notificationTargets', 'name', ctx);
    const semaphores = new Set(config.semaphores.map((s) => `${s.kind}:${s.name}`));
    const policies = new Set(['default', ...config.streamPolicies.map((p) => p.name)]);
    const targets = new Set(config.notificationTargets.map((t) => t.name));
    config.pipelines.forEach((pipeline, i) => {
      const at = (...path: Array<string | number>) => ['pipelines', i, ...path];
      if (pipeline.sourceSemaphore !== undefined && !semaphores.has(`source:${pipeline.sourceSemaphore}`)) {
        ctx.addIssue({ code: 'custom', path: at('sourceSemaphore'), input: pipeline.sourceSemaphore, message: 'expected the name of a semaphore of kind "source" declared in "semaphores"' });
      }
      if (!semaphores.has(`target:${pipeline.targetSemaphore}`)) {
        ctx.addIssue({ code: 'custom', path: at('targetSemaphore'), input: pipeline.targetSemaphore, message: 'expected the name of a semaphore of kind "target" declared in "semaphores"' });
      }
      if (!policies.has(pipeline.policy)) {
        ctx.addIssue({ code: 'custom', path: at('policy'), input: pipeline.policy, message: 'expected "default" or the name of a policy declared in "streamPolicies"' });
      }
      pipeline.notify.forEach((name, j) => {
        if (!targets.has(name)) {
          ctx.addIssue({ code: 'custom', path: at('notify', j), input: name, message: 'expected the name of a target declared in "notificationTargets"' });
        }
      });
      checkLoadOnArrival(pipeline, at, ctx);
      if (pipeline.export?.aggregate !== undefined && pipeline.target.kind !== 'postgres') {
        ctx.addIssue({ code: 'custom', path: at('export', 'aggregate'), input: pipeline.export.aggregate, message: 'expected a "postgres" target: the aggregate reads the target table' });
      }
      const typed = Object.keys(pipeline.columns);
      if (typed.length > 0) {
        for (const column of [...pipeline.keyColumns, ...(pipeline.versionColumn === undefined ? [] : [pipeline.versionColumn])]) {
          if (!typed.includes(column)) {
            ctx.addIssue({ code: 'custom', path: at('columns'), input: column, message: `expected a type for every key and version column (missing "${column}")` });
          }
        }
      }
    });
  });

/** A pipeline loaded on arrival must be loadable at all, and its glob must be able to match its own files. */
function checkLoadOnArrival(pipeline: PipelineConfig, at: (...path: Array<string | number>) => Array<string | number>, ctx: z.core.$RefinementCtx): void {
  if (pipeline.source.kind !== 'blob' || pipeline.source.loadOnArrival === undefined) return;
  const glob = pipeline.source.loadOnArrival;
  const field = at('source', 'loadOnArrival');
  const literal = globLiteralPrefix(glob);
  const { prefix } = pipeline.source;
  if (!literal.startsWith(prefix) && !prefix.startsWith(literal)) {
    ctx.addIssue({ code: 'custom', path: field, input: glob, message: `expected a glob under the pipeline's source.prefix "${prefix}" (it could never match this pipeline's files)` });
  }
  if (pipeline.target.kind !== 'postgres') {
    ctx.addIssue({ code: 'custom', path: field, input: glob, message: `expected a pipeline with a postgres target (ELT loads support only postgres so far; this one targets ${pipeline.target.kind})` });
  }
  if (pipeline.versionColumn === undefined) {
    ctx.addIssue({ code: 'custom', path: field, input: glob, message: 'expected a pipeline with a versionColumn (the load\'s merge guard needs it)' });
  }
  if (pipeline.format.kind === 'csv' && !pipeline.format.header) {
    ctx.addIssue({ code: 'custom', path: field, input: glob, message: 'expected a pipeline with format.header true (ELT loads read CSV with a header line only)' });
  }
}

function unique(values: string[], path: string, what: string, ctx: z.core.$RefinementCtx): void {
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (seen.has(value)) ctx.addIssue({ code: 'custom', path: [path, i], input: value, message: `expected a unique ${what} (a duplicate of an earlier entry)` });
    seen.add(value);
  });
}

export type SluiceConfig = z.output<typeof sluiceConfigSchema>;
export type SluiceConfigInput = z.input<typeof sluiceConfigSchema>;
