/**
 * A load's outputs (docs/elt.md "Export" and "Notifications"): after a successful merge the optional export
 * step writes one file per key to the outbox (its failure fails the load: the data is merged, the files are not
 * there); when the load ends, successfully or not, each notification target is told once. A notification that
 * still fails after its target's retries never changes the load's outcome: it is recorded in the output (or,
 * for a failed load, in the custom status) and logged.
 */
import type * as df from 'durable-functions';
import { exportLoadActivityName, type ExportLoadInput } from '../functions/activities/elt-export';
import { notifyLoadActivityName, type NotifyLoadInput } from '../functions/activities/elt-notify';
import type { EltLoadResult, EltLoadStatus } from './elt-load';
import type { EltLoadInput } from './elt-load-input';
import type { ExportLoadResult, LoadNotification, NotificationDelivery } from './elt-outputs-input';

type Step<T> = Generator<df.Task, T, unknown>;

export interface LoadOutputs {
  /** Present when the pipeline exports. */
  export?: ExportLoadResult;
  /** Present when the pipeline notifies: one entry per target. */
  notifications?: NotificationDelivery[];
}

/** Filled by the load as it runs, so a failure notification can say how far it got. */
export interface LoadProgress {
  status?: EltLoadStatus;
}

function notification(context: df.OrchestrationContext, input: EltLoadInput, progress: LoadProgress, result: EltLoadResult | undefined, error: unknown): LoadNotification {
  const outcome = result === undefined ? 'failed' : 'succeeded';
  return {
    id: `${input.loadId}:${outcome}`,
    type: outcome === 'succeeded' ? 'Sluice.Load.Succeeded' : 'Sluice.Load.Failed',
    specVersion: 1,
    loadId: input.loadId,
    pipeline: input.pipeline,
    outcome,
    occurredAt: context.df.currentUtcDateTime.toISOString(),
    target: input.cosmos === undefined ? 'postgres' : 'cosmos',
    progress: {
      chunksDone: progress.status?.chunksDone ?? 0, chunksTotal: progress.status?.chunksTotal ?? 0,
      rows: progress.status?.rows ?? 0, rejects: progress.status?.rejects ?? 0,
    },
    counts: result === undefined ? null : {
      files: result.files, bytes: result.bytes,
      inserted: result.merge?.inserted ?? 0, updated: result.merge?.updated ?? 0, skippedByGuard: result.merge?.skippedByGuard ?? 0,
    },
    rejects: { container: input.rejectsContainer, prefix: `${input.loadId}/` },
    export: result?.export === undefined ? null : { container: result.export.container, prefix: result.export.prefix, files: result.export.files, manifest: result.export.manifest },
    error: result === undefined ? { message: error instanceof Error ? error.message : String(error) } : null,
  };
}

/** One target after the other, each with its own retries inside the activity; a failure is recorded, never thrown. */
function* notifyTargets(context: df.OrchestrationContext, input: EltLoadInput, message: LoadNotification): Step<NotificationDelivery[]> {
  const deliveries: NotificationDelivery[] = [];
  for (const target of input.notify ?? []) {
    try {
      yield context.df.callActivity(notifyLoadActivityName, { target, notification: message } satisfies NotifyLoadInput);
      deliveries.push({ target: target.name, kind: target.kind, delivered: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      deliveries.push({ target: target.name, kind: target.kind, delivered: false, error: reason });
      if (!context.df.isReplaying) context.warn('sluice:elt notification failed', { loadId: input.loadId, target: target.name, error: reason });
    }
  }
  return deliveries;
}

export function* runLoadOutputs(context: df.OrchestrationContext, retry: df.RetryOptions, input: EltLoadInput,
  load: (progress: LoadProgress) => Step<EltLoadResult>): Step<EltLoadResult> {
  const progress: LoadProgress = {};
  const notifies = (input.notify ?? []).length > 0;
  let result: EltLoadResult;
  try {
    result = yield* load(progress);
    if (input.export !== undefined) {
      const exportInput: ExportLoadInput = { loadId: input.loadId, pipeline: input.pipeline, export: input.export };
      result.export = (yield context.df.callActivityWithRetry(exportLoadActivityName, retry, exportInput)) as ExportLoadResult;
    }
  } catch (error) {
    if (notifies) {
      const notifications = yield* notifyTargets(context, input, notification(context, input, progress, undefined, error));
      context.df.setCustomStatus({ ...progress.status, notifications });
    }
    throw error;
  }
  if (notifies) result.notifications = yield* notifyTargets(context, input, notification(context, input, progress, result, undefined));
  return result;
}
