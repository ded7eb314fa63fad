import { z } from 'zod';

const positive = z.number().int().positive();

/** The `extensions.durableTask` settings of host.json the local host honours (unknown keys are ignored). */
const durableTaskSchema = z.object({
  hubName: z.string().min(1).optional(),
  maxConcurrentActivityFunctions: positive.optional(),
  maxConcurrentOrchestratorFunctions: positive.optional(),
  maxConcurrentEntityFunctions: positive.optional(),
  maxEntityOperationBatchSize: positive.optional(),
  overridableExistingInstanceStates: z.enum(['NonRunningStates', 'AnyState']).optional(),
});

const hostJsonSchema = z.object({ extensions: z.object({ durableTask: durableTaskSchema.optional() }).optional() });

export interface DurableHostSettings {
  hubName: string;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  maxConcurrentEntityFunctions: number;
  maxEntityOperationBatchSize: number;
  overridableExistingInstanceStates: 'NonRunningStates' | 'AnyState';
}

/** Resolves `%SETTING%` references the way the Functions host does, from the environment. */
function resolveSetting(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/%([^%]+)%/g, (_m, name: string) => {
    const resolved = env[name];
    if (resolved === undefined || resolved === '') {
      throw new Error(`host.json extensions.durableTask.hubName refers to app setting '${name}', which is not set. To fix: set ${name} in the environment (local.settings.json Values).`);
    }
    return resolved;
  });
}

/** host.json -> engine settings. Provider defaults follow Azure Storage: 10 x processors, batch of 50. */
export function durableHostSettings(hostJson: unknown, env: NodeJS.ProcessEnv, processors: number): DurableHostSettings {
  const parsed = hostJsonSchema.safeParse(hostJson ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`host.json is invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'unknown'}. To fix: correct extensions.durableTask in host.json.`);
  }
  const d = parsed.data.extensions?.durableTask ?? {};
  const perWorker = 10 * Math.max(1, processors);
  return {
    hubName: resolveSetting(d.hubName ?? 'TestHubName', env),
    maxConcurrentActivityFunctions: d.maxConcurrentActivityFunctions ?? perWorker,
    maxConcurrentOrchestratorFunctions: d.maxConcurrentOrchestratorFunctions ?? perWorker,
    maxConcurrentEntityFunctions: d.maxConcurrentEntityFunctions ?? perWorker,
    maxEntityOperationBatchSize: d.maxEntityOperationBatchSize ?? 50,
    overridableExistingInstanceStates: d.overridableExistingInstanceStates ?? 'NonRunningStates',
  };
}
