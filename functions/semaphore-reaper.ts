/**
 * The semaphore reaper: a timer (`%SLUICE_REAPER_SCHEDULE%`, default every minute) that reaps every semaphore entity
 * there is, shards included, through the `semaphoreControl` orchestration (`reapKeys`), which calls `reap` with the
 * orchestration's current time and notifies the owners the reclaimed permits were granted to. So an expired lease
 * comes back even when nobody waits on that semaphore (waiters reap on their own re-checks too: docs/semaphores.md).
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { ENV_KEYS } from '../core/config';
import { semaphoreEntityName } from '../entities/semaphore-operations';
import { semaphoreControlOrchestrationName, type SemaphoreControlInput } from '../orchestrators/semaphore-control';
import { durableClientInput, listAllEntities } from './durable-entities';

export const semaphoreReaperFunctionName = 'semaphoreReaper';
const defaultSchedule = '0 * * * * *';

export async function reapSemaphores(_timer: Timer, context: InvocationContext): Promise<void> {
  const keys = (await listAllEntities(context, semaphoreEntityName)).map((e) => e.key).sort();
  if (keys.length === 0) return;
  const input: SemaphoreControlInput = { command: 'reapKeys', keys };
  const instanceId = await df.getClient(context).startNew(semaphoreControlOrchestrationName, { input });
  context.log('sluice:semaphores reaper started', { instanceId, semaphores: keys.length });
}

// The app setting is referenced (as on Azure) when it is set; without it the default applies.
const configured = process.env[ENV_KEYS.reaperSchedule];
app.timer(semaphoreReaperFunctionName, {
  schedule: configured === undefined || configured.trim() === '' ? defaultSchedule : `%${ENV_KEYS.reaperSchedule}%`,
  extraInputs: [durableClientInput],
  handler: reapSemaphores,
});
