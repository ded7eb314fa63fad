/**
 * `extractWindow` activity: reads one stream window from its source (inline records, blob refs, or a paginated
 * source for the window's time range) and lands the raw data in Blob. Runs under a `source:<name>` permit.
 *
 * The source and landing code lives in connectors/, behind `WindowExtractor`. The activity is registered by
 * `registerExtractWindow(extractor)` from the composition root once a concrete extractor exists; until then the
 * stream worker's calls fail visibly (function not found) instead of pretending to succeed.
 */
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { SluiceError } from '../../core/errors';
import type { StreamWindow } from '../../core/stream';

export const extractWindowActivityName = 'extractWindow';

export interface ExtractWindowInput {
  streamId: string;
  /** Pipeline name in the config: says which source to read and where to land. */
  pipeline: string;
  window: StreamWindow;
}

/** One landed blob of raw data. */
export interface LandedBlob {
  url: string;
  format: 'ndjson' | 'csv';
  gzip: boolean;
  records: number;
  bytes: number;
}

export interface ExtractWindowResult {
  windowId: string;
  landed: LandedBlob[];
  records: number;
}

/** Implemented in connectors/: must be idempotent per windowId (a retry overwrites the same landing blobs). */
export interface WindowExtractor {
  extractWindow(input: ExtractWindowInput, options: { abortSignal?: AbortSignal }): Promise<ExtractWindowResult>;
}

const inputSchema = z
  .object({
    streamId: z.string().min(1),
    pipeline: z.string().min(1),
    window: z.looseObject({ streamId: z.string().min(1), windowId: z.string().min(1), seq: z.number().int().positive() }),
  })
  .strict();

export function createExtractWindowHandler(extractor: WindowExtractor) {
  return async (rawInput: unknown, _context: InvocationContext): Promise<ExtractWindowResult> => {
    const parsed = inputSchema.safeParse(rawInput);
    if (!parsed.success) {
      throw new SluiceError('InvalidArgument', `${extractWindowActivityName}: input invalid at "${parsed.error.issues[0]?.path.join('.') ?? ''}": ${parsed.error.issues[0]?.message ?? 'invalid'}. To fix: pass { streamId, pipeline, window } from take.`);
    }
    const input = rawInput as ExtractWindowInput;
    if (input.window.streamId !== input.streamId) {
      throw new SluiceError('InvalidArgument', `${extractWindowActivityName}: window "${input.window.windowId}" belongs to stream "${input.window.streamId}", not "${input.streamId}". To fix: pass the window of this stream.`);
    }
    return extractor.extractWindow(input, {});
  };
}

export function registerExtractWindow(extractor: WindowExtractor): void {
  df.app.activity(extractWindowActivityName, { handler: createExtractWindowHandler(extractor) });
}
