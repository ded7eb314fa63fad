/**
 * Structured logs of the local host (logger namespace `sluice:local:host`). One JSON object per line on stderr by
 * default; tests and embedders pass their own sink to capture entries. Ids travel as properties, never spliced
 * into the message.
 */
export type HostLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical';

export interface HostLogEntry {
  namespace: string;
  level: HostLogLevel;
  message: string;
  properties: Record<string, unknown>;
}

export type HostLogSink = (entry: HostLogEntry) => void;

export interface HostLogger {
  readonly namespace: string;
  log(level: HostLogLevel, message: string, properties?: Record<string, unknown>): void;
  child(suffix: string): HostLogger;
}

export const hostLogNamespace = 'sluice:local:host';

const levelRank: Record<HostLogLevel, number> = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5 };

/** Writes entries at or above `minLevel` as JSON lines to stderr. */
export function createStderrSink(minLevel: HostLogLevel = 'information'): HostLogSink {
  return (entry) => {
    if (levelRank[entry.level] < levelRank[minLevel]) return;
    process.stderr.write(`${JSON.stringify({ ...entry.properties, ns: entry.namespace, level: entry.level, msg: entry.message })}\n`);
  };
}

export function createHostLogger(sink: HostLogSink, namespace: string = hostLogNamespace): HostLogger {
  return {
    namespace,
    log(level, message, properties = {}) {
      sink({ namespace, level, message, properties });
    },
    child(suffix) {
      return createHostLogger(sink, `${namespace}:${suffix}`);
    },
  };
}
