import { InvocationContext } from '@azure/functions';
import type { StreamWindow } from '../../../../core/stream';
import { createExtractWindowHandler, type ExtractWindowInput, type ExtractWindowResult } from '../../../../functions/activities/extract-window';
import { createLoadWindowHandler, type LoadWindowInput } from '../../../../functions/activities/load-window';

const context = new InvocationContext({ functionName: 'test', invocationId: 'test', logHandler: () => undefined });
const window: StreamWindow = {
  streamId: 'UK_Account', windowId: 'UK_Account/1', seq: 1, firstEventSeq: 1, lastEventSeq: 1, catchUp: false, attempt: 1,
  sinceMs: null, untilMs: 1, records: [{ id: 1 }], blobRefs: [], notifications: 0, events: 1, recordsIn: 1,
};
const extracted: ExtractWindowResult = { windowId: 'UK_Account/1', landed: [{ url: 'https://lake/a.ndjson', format: 'ndjson', gzip: false, records: 1, bytes: 9 }], records: 1 };

describe('extractWindow and loadWindow handlers', () => {
  it('hand a valid window to the connector port and return its result unchanged', async () => {
    const seen: ExtractWindowInput[] = [];
    const extract = createExtractWindowHandler({ extractWindow: async (input) => (seen.push(input), extracted) });
    await expect(extract({ streamId: 'UK_Account', pipeline: 'accounts', window }, context)).resolves.toEqual(extracted);
    expect(seen).toEqual([{ streamId: 'UK_Account', pipeline: 'accounts', window }]);

    const loads: LoadWindowInput[] = [];
    const load = createLoadWindowHandler({ loadWindow: async (input) => (loads.push(input), { rowsWritten: 1, rowsRejected: 0 }) });
    const loadInput = { streamId: 'UK_Account', pipeline: 'accounts', windowId: 'UK_Account/1', windowSeq: 1, extracted };
    await expect(load(loadInput, context)).resolves.toEqual({ rowsWritten: 1, rowsRejected: 0 });
    expect(loads).toEqual([loadInput]);
  });

  it('refuse a window of another stream and an extract of another window before calling the connector', async () => {
    const never = async (): Promise<never> => {
      throw new Error('connector must not be called');
    };
    const extract = createExtractWindowHandler({ extractWindow: never });
    await expect(extract({ streamId: 'FR_Account', pipeline: 'accounts', window }, context)).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(extract({ streamId: 'UK_Account', window }, context)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('"pipeline"') });
    const load = createLoadWindowHandler({ loadWindow: never });
    await expect(load({ streamId: 'UK_Account', pipeline: 'accounts', windowId: 'UK_Account/2', windowSeq: 2, extracted }, context)).rejects.toMatchObject({ code: 'InvalidArgument' });
  });
});
