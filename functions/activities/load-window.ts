/**
 * `loadWindow` activity: copies one window's landed data into a staging table and merges it into the target
 * with the version guard, then drops staging. Runs under a `target:<name>` permit.
 *
 * The sink code lives in connectors/, behind `WindowLoader`; `registerLoadWindow(loader)` registers the activity
 * from the composition root once a concrete loader exists (see extract-window.ts for why it is not registered
 * with a placeholder).
 */
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../../core/errors';
import type { ExtractWindowResult } from './extract-window';

export const loadWindowActivityName = 'loadWindow';

export interface LoadWindowInput {
  streamId: string;
  pipeline: string;
  windowId: string;
  /** The window's sequence number: the merge's version guard never lets an older window overwrite a newer one. */
  windowSeq: number;
  extracted: ExtractWindowResult;
}

export interface LoadWindowResult {
  rowsWritten: number;
  rowsRejected: number;
}

/** Implemented in connectors/: idempotent per windowId (a retried load never duplicates rows). */
export interface WindowLoader {
  loadWindow(input: LoadWindowInput, options: { abortSignal?: AbortSignal }): Promise<LoadWindowResult>;
}

const inputSchema = z
  .object({
    streamId: z.string().min(1),
    pipeline: z.string().min(1),
    windowId: z.string().min(1),
    windowSeq: z.number().int().positive(),
    extracted: z.looseObject({ windowId: z.string().min(1), landed: z.array(z.looseObject({ url: z.string().min(1) })), records: z.number().int().nonnegative() }),
  })
  .strict();

export function createLoadWindowHandler(loader: WindowLoader) {
  return async (rawInput: unknown, _context: InvocationContext): Promise<LoadWindowResult> => {
    const parsed = inputSchema.safeParse(rawInput);
    if (!parsed.success) {
      throw new SluiceError('InvalidArgument', `${loadWindowActivityName}: input invalid at "${parsed.error.issues[0]?.path.join('.') ?? ''}": ${parsed.error.issues[0]?.message ?? 'invalid'}. To fix: pass the extractWindow result of the same window.`);
    }
    const input = rawInput as LoadWindowInput;
    if (input.extracted.windowId !== input.windowId) {
      throw new SluiceError('InvalidArgument', `${loadWindowActivityName}: extracted data of window "${input.extracted.windowId}" passed for window "${input.windowId}". To fix: load the extract of the same window.`);
    }
    return loader.loadWindow(input, {});
  };
}

export function registerLoadWindow(loader: WindowLoader): void {
  df.app.activity(loadWindowActivityName, { handler: createLoadWindowHandler(loader) });
}
