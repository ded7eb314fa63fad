/**
 * The DurableHostFactory `startHost` uses by default from the CLI: the Durable half (`durable/`) over a sqlite
 * task hub in the data directory (so a restart resumes every orchestration), on the host's clock, logging
 * into the host's logger. The store is closed after the engine stops.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DurableHost } from './contracts';
import { createDurableHost, MemoryStore, SqliteStore, type DurableStore } from './durable';
import type { DurableHostContext, DurableHostFactory } from './host';

export interface DurableFactoryOptions {
  /** `sqlite` keeps the task hub in `<dataDir>/taskhub.sqlite`; `memory` forgets it on stop (tests). @default 'sqlite' */
  store?: 'sqlite' | 'memory';
}

export function localDurableHost(options: DurableFactoryOptions = {}): DurableHostFactory {
  return (context: DurableHostContext): DurableHost => {
    let store: DurableStore;
    let close = () => undefined as void;
    if ((options.store ?? 'sqlite') === 'sqlite') {
      mkdirSync(context.dataDir, { recursive: true });
      const sqlite = new SqliteStore(path.join(context.dataDir, 'taskhub.sqlite'));
      store = sqlite;
      close = () => sqlite.close();
    } else {
      store = new MemoryStore();
    }
    const engine = createDurableHost({
      invoker: context.invoker,
      store,
      hostJson: context.hostJson,
      // The engine wakes through the host's scheduling clock, so a manual clock drives both halves.
      clock: context.clock,
      baseUrl: context.baseUrl,
      env: context.env,
      log: ({ event, ...properties }) => context.logger.log(/Error|Failed/.test(event) ? 'error' : 'information', event, properties),
    });
    return {
      getDurableClientPayload: (binding) => engine.getDurableClientPayload(binding),
      handlesRequest: (request) => engine.handlesRequest(request),
      handleRequest: (request, response) => engine.handleRequest(request, response),
      start: () => engine.start(),
      async stop() {
        try {
          await engine.stop();
        } finally {
          close();
        }
      },
    };
  };
}
