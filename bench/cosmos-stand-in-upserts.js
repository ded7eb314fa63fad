// Upserts/s into the Cosmos DB stand-in with @azure/cosmos, server keep-alive on (what local/services uses)
// vs off (the package default, `connection: close`). Alternating rounds after a warm-up, same process.
// Run: `node bench/cosmos-stand-in-upserts.js [rounds]`. Writes bench/results/cosmos-stand-in-upserts.json.
'use strict';
const { writeFileSync } = require('node:fs');
const { cpus, loadavg } = require('node:os');
const { join } = require('node:path');
const { createHttpServer } = require('@vercel/cosmosdb-server');
const { CosmosClient } = require('@azure/cosmos');

// The Cosmos emulator's public well-known key (the stand-in does not check signatures).
const key = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';
const documents = 2000;
const concurrency = 20;

async function round(keepAlive) {
  const server = createHttpServer(keepAlive ? { keepAlive: true } : {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new CosmosClient({
    endpoint: `http://127.0.0.1:${server.address().port}/`, key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const { database } = await client.databases.createIfNotExists({ id: 'bench' });
  const { container } = await database.containers.createIfNotExists({ id: 'c', partitionKey: { paths: ['/pk'] } });
  const t0 = performance.now();
  for (let i = 0; i < documents; i += concurrency) {
    await Promise.all(Array.from({ length: concurrency }, (_, j) =>
      container.items.upsert({ id: String(i + j), pk: String((i + j) % 10), value: i + j })));
  }
  const ms = performance.now() - t0;
  const { resources } = await container.items.query('SELECT VALUE COUNT(1) FROM c').fetchAll();
  if (resources[0] !== documents) throw new Error(`expected ${documents} documents, found ${resources[0]}`);
  client.dispose();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  return Math.round((documents / ms) * 1000);
}

async function main() {
  const rounds = Number(process.argv[2] ?? 5);
  const loadavgBefore = loadavg();
  await round(true);
  await round(false);
  const samples = { keepAlive: [], close: [] };
  for (let i = 0; i < rounds; i++) {
    samples.keepAlive.push(await round(true));
    samples.close.push(await round(false));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const out = {
    date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavgBefore,
    documents, concurrency, rounds,
    upsertsPerSecond: { keepAliveMedian: median(samples.keepAlive), closeMedian: median(samples.close), samples },
  };
  console.log(`keep-alive median ${out.upsertsPerSecond.keepAliveMedian}/s, connection: close (baseline) median ` +
    `${out.upsertsPerSecond.closeMedian}/s`);
  writeFileSync(join(__dirname, 'results', 'cosmos-stand-in-upserts.json'), `${JSON.stringify(out, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
