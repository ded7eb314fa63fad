/**
 * The `WindowReplayer`: a replay re-applies the files a committed window's ledger entry lists (inline records
 * landed as NDJSON, blob refs as they are now: whatever the extract landed) through the same guarded load as the
 * window, with the window's sequence number. Keys missing from the target come back, rows with an older version are updated, rows
 * the window or a later one wrote stay as they are. The outcome goes to the replay's own ledger entry.
 */
import { SluiceError } from '../core/errors';
import type { LedgerEntry } from '../connectors/cosmos';
import type { ReplayWindowInput, ReplayWindowResult, WindowReplayer } from './activities/replay-window';
import { getLedger } from './app-services';
import { replayRef, windowKey } from './pipeline-target';
import { loadLanded } from './window-loader';

function replayable(entry: LedgerEntry | undefined, input: ReplayWindowInput, ref: string): asserts entry is LedgerEntry & { landed: NonNullable<LedgerEntry['landed']> } {
  const ids = { streamId: input.streamId, windowRef: ref };
  if (entry === undefined) {
    throw new SluiceError('PreconditionFailed', `replayWindow: the ledger has no entry for window ${input.windowSeq} of stream "${input.streamId}". ` +
      'To fix: replay a window listed by GET /api/streams/{id}/windows.', { ids });
  }
  if (entry.outcome !== 'succeeded' || entry.landed === undefined) {
    throw new SluiceError('PreconditionFailed', `replayWindow: window ${input.windowSeq} of stream "${input.streamId}" is ${entry.outcome}` +
      `${entry.landed === undefined ? ' and its entry lists no landed files' : ''}, so there is nothing committed to re-apply. ` +
      'To fix: replay a succeeded window; a failed one is retried by the worker (resume or reconcile the stream).', { ids });
  }
}

export const windowReplayer: WindowReplayer = {
  async replayWindow(input: ReplayWindowInput, options): Promise<ReplayWindowResult> {
    const startedAtMs = Date.now();
    const windowRef = windowKey(input.streamId, input.windowSeq);
    const ref = replayRef(windowRef, input.replayId);
    const ledger = await getLedger();
    const original = await ledger.getEntry(input.streamId, 'window', windowRef);
    try {
      replayable(original, input, windowRef);
    } catch (error) {
      await ledger.upsertEntry({
        stream: input.streamId, kind: 'window', ref, seq: input.windowSeq, replayOf: windowRef, outcome: 'failed',
        startedAt: new Date(startedAtMs).toISOString(), finishedAt: new Date().toISOString(),
        error: { code: (error as SluiceError).code, message: (error as Error).message },
      });
      throw error;
    }
    const windowId = `${input.streamId}/${input.windowSeq}`;
    return loadLanded({
      input: { streamId: input.streamId, pipeline: input.pipeline, windowId, windowSeq: input.windowSeq,
        extracted: { windowId, landed: original.landed, records: original.landed.reduce((sum, l) => sum + l.records, 0) } },
      ref,
      replayOf: windowRef,
      startedAtMs,
      opened: original,
      ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    });
  },
};
