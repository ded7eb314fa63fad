/**
 * `replayWindow` activity: loads a committed window's landed files into the target again, with the window's own
 * sequence number for the version guard, under its own ledger entry (`replayOf` names the window). Runs in the
 * stream's worker under a `target:<name>` permit (docs/api.md, "Replay a window").
 */
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../../core/errors';
import type { LoadWindowResult } from './load-window';

export const replayWindowActivityName = 'replayWindow';

export const replayWindowInputSchema = z
  .object({
    streamId: z.string().min(1),
    pipeline: z.string().min(1),
    replayId: z.string().min(1),
    windowSeq: z.number().int().positive(),
  })
  .strict();

export type ReplayWindowInput = z.infer<typeof replayWindowInputSchema>;
export type ReplayWindowResult = LoadWindowResult;

/** Implemented over the ledger and the sink; idempotent per replayId (a retry rewrites the same entry and staging). */
export interface WindowReplayer {
  replayWindow(input: ReplayWindowInput, options: { abortSignal?: AbortSignal }): Promise<ReplayWindowResult>;
}

export function createReplayWindowHandler(replayer: WindowReplayer) {
  return async (rawInput: unknown, _context: InvocationContext): Promise<ReplayWindowResult> => {
    const parsed = replayWindowInputSchema.safeParse(rawInput);
    if (!parsed.success) {
      throw new SluiceError('InvalidArgument', `${replayWindowActivityName}: input invalid at "${parsed.error.issues[0]?.path.join('.') ?? ''}": ` +
        `${parsed.error.issues[0]?.message ?? 'invalid'}. To fix: pass { streamId, pipeline, replayId, windowSeq } from take.`);
    }
    return replayer.replayWindow(parsed.data, {});
  };
}

export function registerReplayWindow(replayer: WindowReplayer): void {
  df.app.activity(replayWindowActivityName, { handler: createReplayWindowHandler(replayer) });
}
