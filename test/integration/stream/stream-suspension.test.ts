/**
 * Issue 5 acceptance "target failure on one stream": the target refuses one stream's rows (a PostgreSQL trigger), its
 * worker suspends it after the policy's `suspendAfterFailures` failed windows and raises the alert, the other streams
 * keep flowing, its new events keep being accepted; once the cause is removed, `POST /api/streams/{id}/resume`
 * applies everything in one catch-up window and nothing is lost. Everything real: the Service Bus emulator driven by
 * the SDK, the app's ingress on the local host, Azurite, PostgreSQL, the Cosmos stand-in.
 */
import type { StreamStatusView } from '../../../core/stream';
import { eventMessage, startInProcessHost, startStreamStack, until, type InProcessHost, type StreamStack } from '../../support/stream-stack';

const streams = Array.from({ length: 6 }, (_, i) => `S_${i}`);
const bad = 'S_5';
const good = streams.filter((s) => s !== bad);
const suspendAfterFailures = 3;
const deadlineInMs = 90_000;

const config = {
  semaphores: [{ kind: 'source', name: 'crm', capacity: 2 }, { kind: 'target', name: 'pg', capacity: 2 }],
  streamPolicies: [{
    name: 'fragile',
    retry: { maxRetries: 1, retryDelayInMs: 50, backoffCoefficient: 2, maxRetryDelayInMs: 200 },
    suspendAfterFailures,
    // Two events per window: a catch-up window over 8 pending events is visibly one window, not four.
    coalescing: { maxEventsPerWindow: 2 },
  }],
  pipelines: [{
    name: 'accounts', streams: ['S_*'], source: { kind: 'inline' }, sourceSemaphore: 'crm',
    target: { kind: 'postgres', table: 'accounts' }, targetSemaphore: 'pg',
    keyColumns: ['id'], versionColumn: 'v', columns: { id: 'text', v: 'bigint', stream: 'text', n: 'integer' }, policy: 'fragile',
  }],
};

/** Events n in [from, to) of every stream, interleaved round robin (each stream's order kept). */
function batch(from: number, to: number) {
  const messages = [];
  for (let n = from; n < to; n++) for (const stream of streams) messages.push(eventMessage(stream, n, { id: `${stream}-${n}`, v: n + 1, stream, n }));
  return messages;
}

describe('a stream whose target fails suspends alone and catches up in one window after resume', () => {
  let stack: StreamStack;
  let app: InProcessHost;

  beforeAll(async () => {
    stack = await startStreamStack({ config, taskHub: 'SluiceSuspensionTest', serviceBus: { sessionIdleTimeout: '00:00:00.2', maxMessageBatchSize: 4 } });
    // The table as the loader would create it, plus the cause of the failure: a trigger refusing S_5's rows only.
    await stack.pg.query(`create table public.accounts (id text primary key, v bigint, stream text, n integer);
      create function public.refuse_rows() returns trigger language plpgsql as $$
        begin raise exception 'rows of stream % are refused by the target', new.stream; end $$;
      create trigger refuse_s5 before insert or update on public.accounts for each row when (new.stream = '${bad}') execute function public.refuse_rows();`);
    app = await startInProcessHost(stack);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await stack?.stop();
  });

  async function stream(id: string): Promise<StreamStatusView> {
    const response = await app.call('GET', `streams/${id}`);
    expect(response.status).toBe(200);
    return (await response.json()) as StreamStatusView;
  }

  async function rowsOf(ids: readonly string[]): Promise<Array<{ id: string; v: string }>> {
    return (await stack.pg.query<{ id: string; v: string }>('select id, v from public.accounts where stream = any($1) order by id', [ids])).rows;
  }

  function expectedRows(ids: readonly string[], count: number): Array<{ id: string; v: string }> {
    return ids.flatMap((s) => Array.from({ length: count }, (_, n) => ({ id: `${s}-${n}`, v: String(n + 1) }))).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  it('suspends after N failed windows, keeps the others flowing and accepting its events, and resumes with one catch-up window', async () => {
    await stack.send(batch(0, 4));
    const suspended = await until(`${bad} suspended`, async () => {
      const view = await stream(bad).catch(() => undefined);
      return view?.status === 'suspended' ? view : undefined;
    }, deadlineInMs);
    expect(suspended.consecutiveFailures).toBe(suspendAfterFailures);
    expect(suspended.counters.failures).toBe(suspendAfterFailures);
    expect(suspended.suspension?.failedWindow?.windowId).toBe(`${bad}/1`);
    expect(suspended.suspension?.reason).toContain(`failed ${suspendAfterFailures} times in a row`);
    expect(suspended.suspension?.reason).toContain(`rows of stream ${bad} are refused by the target`);
    expect(suspended.workerId).toBeNull();
    // The alert: the worker's raiseAlert emitted Sluice.Stream.Suspended (a warning log line), once.
    const alerts = app.logs.filter((l) => l.level === 'warning' && l.message.includes('Sluice.Stream.Suspended'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.message).toContain(bad);
    // The ledger records the failed window with the target's error.
    const failedEntry = await stack.ledger.getEntry(bad, 'window', `${bad}.w1`);
    expect(failedEntry).toMatchObject({ outcome: 'failed' });
    expect(failedEntry?.error?.message).toContain('refused by the target');

    // The other streams flow: their first events land (also those sent after the suspension, below).
    await until('first rows of the healthy streams', async () => ((await rowsOf(good)).length === good.length * 4 ? true : undefined), deadlineInMs);

    // While suspended: every stream gets 4 more events. The healthy ones apply them, the bad one only buffers them.
    await stack.send(batch(4, 8));
    await until('all rows of the healthy streams', async () => {
      const rows = await rowsOf(good);
      return rows.length === good.length * 8 && rows.every((r) => Number(r.v) === Number(r.id.split('-')[1]) + 1) ? true : undefined;
    }, deadlineInMs);
    expect(await rowsOf(good)).toEqual(expectedRows(good, 8));
    const buffered = await until(`${bad} holding 8 events`, async () => {
      const view = await stream(bad);
      return view.counters.eventsAppended === 8 ? view : undefined;
    }, deadlineInMs);
    expect(buffered).toMatchObject({ status: 'suspended', pendingEvents: 8, workerId: null });
    expect(buffered.counters.windowsCommitted).toBe(0);
    expect(await rowsOf([bad])).toEqual([]);

    // Fix the cause, then resume: one worker applies everything pending as one catch-up window.
    await stack.pg.query('drop trigger refuse_s5 on public.accounts');
    const resumed = await app.call('POST', `streams/${bad}/resume`);
    expect(resumed.status).toBe(200);
    const caughtUp = await until(`${bad} caught up`, async () => {
      const view = await stream(bad);
      return view.status === 'idle' && view.pendingEvents === 0 ? view : undefined;
    }, deadlineInMs);
    expect(caughtUp.counters).toMatchObject({ eventsAppended: 8, eventsCommitted: 8, eventsDiscarded: 0, windowsCommitted: 1, rowsWritten: 8, failures: suspendAfterFailures });
    expect(caughtUp.consecutiveFailures).toBe(0);
    expect(await rowsOf(streams)).toEqual(expectedRows(streams, 8));
    const ledger = await stack.ledger.listByStream(bad, { limit: 10 });
    const succeeded = ledger.filter((e) => e.outcome === 'succeeded');
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]).toMatchObject({ ref: `${bad}.w2`, window: { events: 8 }, counts: { inserted: 8 } });

    // A window that failed for good leaves no staging table behind.
    await app.idle();
    const staging = await stack.pg.query<{ n: string }>("select count(*) as n from pg_tables where schemaname = 'sluice_staging'");
    expect(Number(staging.rows[0]!.n)).toBe(0);
  }, 300_000);
});
