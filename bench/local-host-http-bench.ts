/**
 * HTTP trigger throughput of the local host vs a baseline measured in the same run: a bare node:http server
 * answering the same small body on the same loopback, driven by the same client (fetch, keep-alive).
 * The difference is the host's cost per request: routing, auth, RpcHttpData, the library's conversion, hooks
 * (the basic test app registers four), the structured log line.
 * The machine is shared, so the two servers are measured alternately for several rounds and the medians kept.
 * Usage: npm run bench:host [-- <requests> <concurrency> <rounds>]; writes bench/results/local-host-http.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startHost } from '../local/host/host';

const requests = Number(process.argv[2] ?? 1_500);
const concurrency = Number(process.argv[3] ?? 16);
const rounds = Number(process.argv[4] ?? 3);
const warmup = 200;
const body = 'default route is the function name';

interface Run {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function drive(url: string, count: number): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next += 1;
      const t0 = performance.now();
      const response = await fetch(url);
      const text = await response.text();
      if (response.status !== 200 || text !== body) throw new Error(`Unexpected answer ${response.status}: ${text}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 1000) / 1000;
  return { requests: count, seconds: Math.round(seconds * 1000) / 1000, requestsPerSecond: Math.round(count / seconds), p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function measure(url: string): Promise<Run> {
  await drive(url, warmup);
  return drive(url, requests);
}

async function main(): Promise<void> {
  const baseline = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain;charset=UTF-8', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve));
  const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/api/defaultRoute`;

  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-host-'));
  const host = await startHost({ appDir: join(__dirname, '..', '..', 'test', 'apps', 'basic'), port: 0, dataDir, env: {}, logSink: () => undefined });
  try {
    const baselineRuns: Run[] = [];
    const hostRuns: Run[] = [];
    for (let round = 0; round < rounds; round += 1) {
      baselineRuns.push(await measure(baselineUrl));
      hostRuns.push(await measure(`${host.url}/api/defaultRoute`));
    }
    const median = (runs: Run[], key: keyof Run) => [...runs].map((run) => run[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? 0;
    const summary = (runs: Run[]) => ({
      requestsPerSecond: median(runs, 'requestsPerSecond'),
      p50Ms: median(runs, 'p50Ms'),
      p99Ms: median(runs, 'p99Ms'),
    });
    const result = {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      loadAverage1m: loadavg()[0],
      requestsPerRound: requests,
      concurrency,
      rounds,
      median: { baselineNodeHttp: summary(baselineRuns), localHost: summary(hostRuns) },
      baselineNodeHttp: baselineRuns,
      localHost: hostRuns,
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(join(__dirname, '..', '..', 'bench', 'results'), { recursive: true });
    writeFileSync(join(__dirname, '..', '..', 'bench', 'results', 'local-host-http.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await host.stop();
    baseline.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
