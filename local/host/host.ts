/**
 * `startHost`: the local Functions host. Reads host.json and local.settings.json, loads the app through its
 * package.json "main" with `@azure/functions-core` provided, serves HTTP triggers and the Durable management
 * API on 127.0.0.1, and runs timer, blob and Service Bus triggers. The Durable half plugs in through the
 * `DurableHost` contract; without one, durableClient functions fail with a clear error.
 */
import path from 'node:path';
import { applySettings, loadHostConfig, type HostJson } from './config';
import type { DurableHost, FunctionInvoker, RegisteredFunction } from './contracts';
import { LocalHostError } from './errors';
import { startFunctionsApp, type FunctionsApp } from './worker/functions-app';
import { loadHostKeys, type HostKeys } from './http/host-keys';
import { createHttpFront, type HttpFront } from './http/http-server';
import { buildRouteTable, type HttpRoute } from './http/route-table';
import { createHostLogger, createStderrSink, type HostLogger, type HostLogSink } from './log';
import { systemClock, type SchedulingClock } from './scheduling-clock';
import { startBlobTriggers, type BlobTriggers } from './triggers/blob-trigger';
import { startServiceBusTriggers, type ServiceBusSubscription, type ServiceBusTriggerSource } from './triggers/service-bus-source';
import { startTimerTriggers, type TimerTriggers } from './triggers/timer-trigger';
import type { InvocationListener } from './worker/invoker';

export interface DurableHostContext {
  invoker: FunctionInvoker;
  /** Origin of this host, e.g. `http://127.0.0.1:7071` (for rpcBaseUrl and management URLs). */
  baseUrl: string;
  hostJson: HostJson;
  dataDir: string;
  clock: SchedulingClock;
  env: NodeJS.ProcessEnv;
  logger: HostLogger;
}

export type DurableHostFactory = (context: DurableHostContext) => DurableHost | Promise<DurableHost>;

export interface StartHostOptions {
  /** Folder with the app's package.json (and host.json, local.settings.json). */
  appDir: string;
  /** @default local.settings.json `Host.LocalHttpPort`, else 7071; 0 picks a free port. */
  port?: number;
  /** @default '127.0.0.1' */
  hostname?: string;
  /** Keys, timer status and blob receipts. @default `<appDir>/.sluice/host` */
  dataDir?: string;
  durable?: DurableHostFactory;
  serviceBus?: ServiceBusTriggerSource;
  /** @default systemClock */
  clock?: SchedulingClock;
  /** @default JSON lines on stderr, level information and above */
  logSink?: HostLogSink;
  /** Environment the app and bindings read; local.settings.json Values are added to it. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default 2000 */
  blobPollIntervalInMs?: number;
  /** Observes every finished invocation from the very start (runOnStartup timers included). */
  onInvocationCompleted?: InvocationListener;
}

export interface RunningHost {
  url: string;
  port: number;
  keys: HostKeys;
  routes: Array<{ functionName: string; template: string; methods: string[] | undefined; authLevel: string }>;
  functions: RegisteredFunction[];
  invoker: FunctionInvoker;
  onInvocationCompleted(listener: InvocationListener): () => void;
  stop(): Promise<void>;
}

export async function startHost(options: StartHostOptions): Promise<RunningHost> {
  const appDir = path.resolve(options.appDir);
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const logger = createHostLogger(options.logSink ?? createStderrSink());
  const dataDir = path.resolve(options.dataDir ?? path.join(appDir, '.sluice', 'host'));
  const startedAtMs = clock.nowMs();

  const config = loadHostConfig(appDir);
  applySettings(config.settings, env);
  const keys = loadHostKeys(dataDir, env);
  const functionsApp = await startFunctionsApp(appDir, logger);
  if (options.onInvocationCompleted !== undefined) functionsApp.invoker.onInvocationCompleted(options.onInvocationCompleted);
  const cleanups: Array<() => Promise<void>> = [() => functionsApp.stop()];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        logger.log('error', 'Host stop step failed', { error: (error as Error)?.message });
      }
    }
    cleanups.length = 0;
  };

  try {
    await refuseHttpStreaming(functionsApp);
    const invoker = functionsApp.invoker;
    const functions = invoker.listFunctions();
    const routes: HttpRoute[] = buildRouteTable(functions, config.routePrefix, env);
    let durable: DurableHost | undefined;
    const triggers: { timers?: TimerTriggers } = {};
    const front: HttpFront = createHttpFront({
      routes,
      invoker,
      keys,
      logger,
      durable: () => durable,
      status: () => ({
        id: 'sluice-local-host',
        state: 'Running',
        version: '4.x (sluice local host)',
        appDir,
        uptimeMs: clock.nowMs() - startedAtMs,
        durable: durable !== undefined,
        functions: functions.map((fn) => ({ name: fn.name, triggerType: fn.triggerType, ...(invoker.stats()[fn.name] ?? { invocations: 0 }) })),
        counts: Object.values(invoker.stats()).reduce(
          (total, s) => ({ invocations: total.invocations + s.invocations, succeeded: total.succeeded + s.succeeded, failed: total.failed + s.failed }),
          { invocations: 0, succeeded: 0, failed: 0 },
        ),
        timers: triggers.timers?.nextOccurrences() ?? {},
      }),
    });
    const address = await front.listen(options.hostname ?? '127.0.0.1', options.port ?? config.localHttpPort ?? 7071);
    cleanups.push(() => front.close());
    const baseUrl = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

    // durable-functions rewrites management URLs to localhost:7071 unless WEBSITE_HOSTNAME names this host.
    const previousHostname = env.WEBSITE_HOSTNAME;
    if (previousHostname === undefined) {
      env.WEBSITE_HOSTNAME = baseUrl.replace(/^http:\/\//, '');
      cleanups.push(async () => {
        delete env.WEBSITE_HOSTNAME;
      });
    }

    if (options.durable !== undefined) {
      const created = await options.durable({ invoker, baseUrl, hostJson: config.hostJson, dataDir, clock, env, logger: logger.child('durable') });
      await created.start();
      durable = created;
      cleanups.push(() => created.stop());
    }

    const common = { functions, invoker, env, logger, durable: () => durable };
    const startedTimers = startTimerTriggers({ ...common, clock, dataDir });
    triggers.timers = startedTimers;
    cleanups.push(() => startedTimers.stop());
    const blobs: BlobTriggers = startBlobTriggers({
      ...common,
      dataDir,
      ...(options.blobPollIntervalInMs === undefined ? {} : { pollIntervalInMs: options.blobPollIntervalInMs }),
    });
    cleanups.push(() => blobs.stop());
    const serviceBusSettings = (config.hostJson.extensions as Record<string, unknown> | undefined)?.serviceBus;
    const subscriptions: ServiceBusSubscription[] = await startServiceBusTriggers({
      ...common,
      hostSettings: typeof serviceBusSettings === 'object' && serviceBusSettings !== null ? (serviceBusSettings as Record<string, unknown>) : {},
      source: options.serviceBus,
    });
    cleanups.push(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
    });

    logger.log('information', 'Host started', { url: baseUrl, appDir, functions: functions.map((fn) => fn.name), durable: durable !== undefined });
    let stopping: Promise<void> | undefined;
    return {
      url: baseUrl,
      port: address.port,
      keys,
      routes: routes.map((route) => ({ functionName: route.fn.name, template: route.template, methods: route.methods, authLevel: route.authLevel })),
      functions,
      invoker,
      onInvocationCompleted: (listener) => invoker.onInvocationCompleted(listener),
      stop() {
        stopping ??= cleanup().then(() => logger.log('information', 'Host stopped', { url: baseUrl }));
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** HTTP streaming needs the library's own proxy server, which this host does not drive. */
async function refuseHttpStreaming(functionsApp: FunctionsApp): Promise<void> {
  const model = functionsApp.registryModel();
  const capabilities = (await model?.getCapabilities?.({})) ?? {};
  if (capabilities.HttpUri !== undefined) {
    throw new LocalHostError(
      'AppLoadFailed',
      'The app enables HTTP streaming (app.setup({ enableHttpStream: true })), which the local host does not support. ' +
        'To fix: turn streaming off for local runs.',
    );
  }
}
