import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DurableHostFactory } from '../host';
import { createDurableHost, type LocalDurableHost } from './index';
import { MemoryStore } from './store/memory-store';
import { SqliteStore } from './store/sqlite-store';

export interface DurableHostFactoryOptions {
  /** `sqlite` (default): the task hub survives restarts and kill -9, in `<dataDir>/durable-taskhub.sqlite`. */
  store?: 'sqlite' | 'memory';
}

/** Plugs the Durable half into `startHost({ durable: durableHostFactory() })`. */
export function durableHostFactory(options: DurableHostFactoryOptions = {}): DurableHostFactory {
  return (context): LocalDurableHost => {
    let store;
    if (options.store === 'memory') {
      store = new MemoryStore();
    } else {
      mkdirSync(context.dataDir, { recursive: true });
      store = new SqliteStore(path.join(context.dataDir, 'durable-taskhub.sqlite'));
    }
    const host = createDurableHost({
      invoker: context.invoker,
      store,
      hostJson: context.hostJson,
      clock: context.clock,
      baseUrl: context.baseUrl,
      env: context.env,
      log: ({ event, ...properties }) => context.logger.log(event.endsWith('.Error') ? 'error' : 'information', event, properties),
    });
    return {
      ...host,
      async stop() {
        await host.stop();
        store.close();
      },
    };
  };
}
