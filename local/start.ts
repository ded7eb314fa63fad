/**
 * `npm start`: the local stack. The local Functions + Durable host is not built yet (issue 3), so for now
 * this only says so honestly and exits non-zero.
 */
console.error('sluice: the local host (local/host) does not exist yet; `npm start` has nothing to run. See README.');
process.exitCode = 1;
