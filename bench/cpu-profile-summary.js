// Summarizes a `node --cpu-prof` profile: self time per function (top 25) and the inclusive time of a few
// modules of interest. Used for bench/results/*-cpu-profile.txt.
// Run: node bench/cpu-profile-summary.js <file.cpuprofile>
'use strict';
const { readFileSync } = require('node:fs');

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);

const selfUs = new Map();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + profile.timeDeltas[i]));
const total = profile.timeDeltas.reduce((a, b) => a + b, 0);
const percent = (us) => ((100 * us) / total).toFixed(1).padStart(5);
const shortUrl = (url) => url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|dist)\//, '$1/');

const byFunction = new Map();
for (const [id, us] of selfUs) {
  const frame = nodes.get(id).callFrame;
  const key = `${frame.functionName || '(anon)'} ${frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ':0'}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
}

/** Time of samples with a frame of `file` anywhere on their stack. */
function inclusive(file) {
  let us = 0;
  for (const [id, t] of selfUs) {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      if (nodes.get(at).callFrame.url.includes(file)) {
        us += t;
        break;
      }
    }
  }
  return us;
}

console.log(`total sampled s ${(total / 1e6).toFixed(1)}`);
for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${percent(us)} % ${key}`);
for (const file of ['entities/semaphore.js', 'entities/stream.js', 'store/memory-store.js']) console.log(`${percent(inclusive(file))} % ${file} (inclusive)`);
