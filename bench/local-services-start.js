// Start/stop times of the local services (run: `npm run build && node bench/local-services-start.js [runs]`).
// Plain JS on the compiled dist/ so it runs with node alone. Writes bench/results/local-services-start.json.
'use strict';
const { execFileSync } = require('node:child_process');
const { chmodSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, loadavg, tmpdir } = require('node:os');
const { join } = require('node:path');
const { startAzurite } = require('../dist/local/services/azurite');
const { startCosmos } = require('../dist/local/services/cosmos');
const { startPostgres } = require('../dist/local/services/postgres');
const { startLocalServices } = require('../dist/local/services');

const runs = Number(process.argv[2] ?? 5);

async function time(start) {
  const t0 = performance.now();
  const service = await start();
  const startMs = performance.now() - t0;
  const t1 = performance.now();
  await service.stop();
  return { startMs, stopMs: performance.now() - t1 };
}

function persistedDir() {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  chmodSync(dir, 0o755);
  return dir;
}

async function main() {
  const loadavgBefore = loadavg();
  const scenarios = {
    'baseline: node -e 0 (spawn + exit)': async () => {
      const t0 = performance.now();
      execFileSync(process.execPath, ['-e', '0']);
      return { startMs: performance.now() - t0, stopMs: 0 };
    },
    'azurite, in memory': () => time(() => startAzurite()),
    'postgres, ephemeral (template copy + start)': () => time(() => startPostgres()),
    'postgres, persisted, first start (initdb on disk + start)': async () => {
      const dir = persistedDir();
      const result = await time(() => startPostgres({ dataDir: dir }));
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
    'postgres, persisted, second start': async () => {
      const dir = persistedDir();
      await time(() => startPostgres({ dataDir: dir }));
      const result = await time(() => startPostgres({ dataDir: dir }));
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
    'cosmos stand-in': () => time(() => startCosmos()),
    'all three, ephemeral (tests)': () => time(() => startLocalServices()),
    'all three, persisted, first start (npm start)': async () => {
      const dir = persistedDir();
      const result = await time(() => startLocalServices({ dataDir: dir }));
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
    'all three, persisted, second start (npm start)': async () => {
      const dir = persistedDir();
      await time(() => startLocalServices({ dataDir: dir }));
      const result = await time(() => startLocalServices({ dataDir: dir }));
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
  const results = [];
  for (const [name, run] of Object.entries(scenarios)) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await run());
    const starts = samples.map((s) => s.startMs).sort((a, b) => a - b);
    const stops = samples.map((s) => s.stopMs).sort((a, b) => a - b);
    const row = {
      name,
      runs,
      startMedianMs: Math.round(starts[Math.floor(runs / 2)]),
      startMaxMs: Math.round(starts[runs - 1]),
      stopMedianMs: Math.round(stops[Math.floor(runs / 2)]),
      samples,
    };
    results.push(row);
    console.log(`${name}: start median ${row.startMedianMs} ms (max ${row.startMaxMs}), stop median ${row.stopMedianMs} ms`);
  }
  const out = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavgBefore, results };
  writeFileSync(join(__dirname, 'results', 'local-services-start.json'), `${JSON.stringify(out, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
