import fc from 'fast-check';
import { createTestFunctionsHost } from '../../support/durable/functions-core';
import { startHarness, waitForStatus, type Harness } from '../../support/durable/harness';

const mockFunctionsHost = createTestFunctionsHost();
jest.mock('@azure/functions-core', () => mockFunctionsHost.core, { virtual: true });

let h: Harness;
let features: typeof import('../../apps/durable-samples/features');

beforeAll(async () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('../../apps/durable-samples/index');
  features = require('../../apps/durable-samples/features');
  /* eslint-enable @typescript-eslint/no-require-imports */
  h = await startHarness(mockFunctionsHost);
});

afterAll(async () => {
  await h.close();
});

/** Condition wait that does not wait for the engine to be idle (gated activities keep it busy). */
async function poll<T>(probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Condition not reached within ${timeoutMs} ms.`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('replay with out-of-order completions', () => {
  it('maps every result to its task whatever the completion order and episode grouping', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i + 1), { minLength: n, maxLength: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n })),
        ),
        async ([n, order, settleAfter]) => {
          const id = `order-${run++}`;
          h.host.client.startNew('gatedFanOut', { instanceId: id, input: String(n), overridable: 'AnyState' });
          const release = async (key: string, value: number): Promise<void> => {
            const gate = await poll(() => features.gates.get(`${id}:${key}`));
            features.gates.delete(`${id}:${key}`);
            gate(value);
          };
          await release('0', 0);
          await poll(() => order.every((i) => features.gates.has(`${id}:${i}`)));
          // Release the fan-out in the generated order; sometimes let the engine run an episode in between,
          // sometimes not, so one episode receives several completions at once.
          for (const [k, i] of order.entries()) {
            features.gates.get(`${id}:${i}`)!(i * 10);
            features.gates.delete(`${id}:${i}`);
            if (settleAfter[k] === true) {
              // Let the completion reach the orchestration before the next one is released.
              await poll(() => h.store.getHistory(id).some((e) => e.EventType === 5 && e['Result'] === String(i * 10)));
            }
          }
          await release('last', 99);
          const record = await waitForStatus(h, id, ['Completed', 'Failed']);
          expect(JSON.parse(record.output ?? 'null')).toEqual([0, ...Array.from({ length: n }, (_, i) => (i + 1) * 10), 99]);
        },
      ),
      { numRuns: 20 },
    );
  });
});
