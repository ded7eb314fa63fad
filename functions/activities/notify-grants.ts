/**
 * `notifyGrants` activity: wakes the owners an entity operation granted permits to, by raising `PermitGranted`
 * on their orchestration instances. Entities cannot raise events in JavaScript, so whoever caused the grant
 * (a release, a capacity change, a reap) calls this. A lost wake-up only costs latency: waiters re-check
 * after `permitRecheckInMs` (docs/semaphores.md).
 */
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../../core/errors';

export const notifyGrantsActivityName = 'notifyGrants';
export const permitGrantedEventName = 'PermitGranted';

export const notifyGrantsInputSchema = z
  .object({
    semaphore: z.string().min(1),
    grants: z.array(z.object({ owner: z.string().min(1), permits: z.number().int().positive(), leaseExpiresAtMs: z.number() }).strict()),
  })
  .strict();

export type NotifyGrantsInput = z.infer<typeof notifyGrantsInputSchema>;

/** Payload of `PermitGranted`; waiters treat it as "re-check now", never as proof of holding. */
export interface PermitGrantedEvent {
  semaphore: string;
  permits: number;
  leaseExpiresAtMs: number;
}

export interface NotifyGrantsResult {
  notified: number;
  /** Owners with no orchestration instance; their permits come back when their lease ends. */
  unknownOwners: string[];
}

/** The part of the Durable client this activity needs. */
export type EventRaiser = Pick<df.DurableClient, 'raiseEvent'>;

export async function notifyGrants(raiser: EventRaiser, rawInput: unknown, context: InvocationContext): Promise<NotifyGrantsResult> {
  const parsed = notifyGrantsInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw new SluiceError('InvalidArgument', `${notifyGrantsActivityName}: input invalid: ${parsed.error.issues[0]?.message ?? 'invalid'}. To fix: pass { semaphore, grants }.`);
  }
  const { semaphore, grants } = parsed.data;
  const unknownOwners: string[] = [];
  for (const grant of grants) {
    const event: PermitGrantedEvent = { semaphore, permits: grant.permits, leaseExpiresAtMs: grant.leaseExpiresAtMs };
    try {
      await raiser.raiseEvent(grant.owner, permitGrantedEventName, event);
    } catch (error) {
      // The client rejects only for an unknown instance (404); ended instances (410) resolve silently.
      if (!(error instanceof Error) || !error.message.startsWith('No instance with ID')) throw error;
      unknownOwners.push(grant.owner);
      context.warn('sluice:semaphores permit granted to an unknown instance', { semaphore, owner: grant.owner });
    }
  }
  return { notified: grants.length - unknownOwners.length, unknownOwners };
}

df.app.activity(notifyGrantsActivityName, {
  extraInputs: [df.input.durableClient()],
  handler: (input: unknown, context: InvocationContext) => notifyGrants(df.getClient(context), input, context),
});
