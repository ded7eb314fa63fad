import { activityScript, activitySections } from './page-activity';

/**
 * The operators' dashboard (docs/api.md "Dashboard"): one self-contained HTML page, no framework and no external
 * assets, so it works the same on the local host and on Azure. Its script reads the function key from `?code=` and
 * calls the operators' API with it in `x-functions-key`; it never writes the key anywhere else.
 */
const style = `
:root { color-scheme: light; --fg: #1b1b1b; --muted: #4a4a4a; --bg: #ffffff; --line: #c8c8c8; --warn-bg: #fff1f0; --warn: #a1150b; --ok: #0b6b2b; --accent: #0b4f9c; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.25rem; margin: 0 auto 0 0; }
main { padding: 0 1.25rem 2rem; max-width: 1400px; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: var(--muted); padding-bottom: .25rem; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f2f2f2; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
tr.suspended td, tr.suspended th { background: var(--warn-bg); }
.status-suspended { color: var(--warn); font-weight: 700; }
.status-running { color: var(--ok); font-weight: 600; }
.reason { color: var(--warn); display: block; max-width: 40ch; overflow-wrap: anywhere; }
button { font: inherit; padding: .25rem .7rem; border: 1px solid var(--accent); border-radius: 4px; background: #fff; color: var(--accent); cursor: pointer; margin: 0 .25rem .25rem 0; }
button:hover { background: #e8f0fb; }
button:focus-visible, input:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
meter { width: 6rem; vertical-align: middle; }
.muted { color: var(--muted); }
#status { min-height: 1.5em; }
#status.error { color: var(--warn); font-weight: 600; }
dialog { border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; max-width: 32rem; }
dialog label { display: block; margin-bottom: .25rem; font-weight: 600; }
dialog input { font: inherit; width: 100%; padding: .3rem; margin-bottom: .75rem; }
ul.plain { list-style: none; margin: 0; padding: 0; }
.error-line { color: var(--warn); font-weight: 600; }
.reason-text { overflow-wrap: anywhere; max-width: 60ch; }
progress { width: 6rem; vertical-align: middle; }
`;

const script = `
'use strict';
const key = new URLSearchParams(location.search).get('code') || '';
const refreshMs = 5000;
const statusEl = document.getElementById('status');
const pauseButton = document.getElementById('pause');
let timer = null;
let paused = false;

function say(text, isError) {
  statusEl.textContent = text;
  statusEl.className = isError ? 'error' : '';
}

async function api(method, route, body) {
  const init = { method, headers: { 'x-functions-key': key } };
  if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
  const response = await fetch('/api/' + route, init);
  const text = await response.text();
  const json = text === '' ? {} : JSON.parse(text);
  if (!response.ok) {
    const message = json.error ? json.error.message : response.status === 401 ? 'The function key is missing or wrong: open the page as /api/dashboard?code=<key>.' : 'HTTP ' + response.status;
    throw new Error(method + ' /api/' + route + ': ' + message);
  }
  return json;
}

function el(tag, props, children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children || []) node.append(child);
  return node;
}

function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return ms + ' ms';
  const s = Math.round(ms / 1000);
  if (s < 120) return s + ' s';
  const m = Math.round(s / 60);
  return m < 120 ? m + ' min' : Math.round(m / 60) + ' h';
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

function button(label, accessibleName, onClick) {
  const b = el('button', { type: 'button', textContent: label });
  b.setAttribute('aria-label', accessibleName);
  b.addEventListener('click', onClick);
  return b;
}

async function command(streamId, name, body) {
  say(name + ' of ' + streamId + '…', false);
  try {
    const answer = await api('POST', 'streams/' + encodeURIComponent(streamId) + '/' + name, body);
    const extra = answer.result && answer.result.discardedEvents !== undefined ? ', ' + answer.result.discardedEvents + ' event(s) discarded' : '';
    await refresh();
    say(name + ' of ' + streamId + ' done: status ' + answer.stream.status + extra + '.', false);
  } catch (error) {
    say(error.message, true);
  }
}

const dialog = document.getElementById('suspend-dialog');
const reasonInput = document.getElementById('suspend-reason');
let suspendTarget = null;
function askSuspend(streamId) {
  suspendTarget = streamId;
  document.getElementById('suspend-title').textContent = 'Suspend stream ' + streamId;
  reasonInput.value = '';
  dialog.showModal();
}
document.getElementById('suspend-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const reason = reasonInput.value.trim();
  if (reason === '') { reasonInput.setAttribute('aria-invalid', 'true'); reasonInput.focus(); return; }
  reasonInput.removeAttribute('aria-invalid');
  dialog.close();
  void command(suspendTarget, 'suspend', { reason });
});
document.getElementById('suspend-cancel').addEventListener('click', () => dialog.close());

function blockedCell(permits) {
  if (!permits || !permits.workerId) return el('td', { className: 'muted', textContent: 'no worker' });
  if (!permits.blockedBy) return el('td', { textContent: permits.holding.length ? 'holds ' + permits.holding.map((h) => h.semaphore).join(', ') : '—' });
  const b = permits.blockedBy;
  return el('td', { textContent: b.semaphore + ' (#' + b.position + ' in ' + b.key + ')' });
}

function actionsCell(s, detail) {
  const cell = el('td');
  if (s.status === 'suspended') {
    cell.append(button('Reconcile', 'Reconcile ' + s.streamId, () => command(s.streamId, 'reconcile', {})));
    if (detail && detail.suspension && detail.suspension.failedWindow) {
      cell.append(button('Discard failed window', 'Discard the failed window of ' + s.streamId, () => command(s.streamId, 'reconcile', { discardFailedWindow: true })));
    }
    cell.append(button('Resume', 'Resume ' + s.streamId, () => command(s.streamId, 'resume', {})));
  } else {
    cell.append(button('Suspend', 'Suspend ' + s.streamId, () => askSuspend(s.streamId)));
  }
  return cell;
}

function streamRow(s, detail) {
  const statusCell = el('td', {}, [el('span', { className: 'status-' + s.status, textContent: s.status })]);
  if (s.status === 'suspended') statusCell.append(el('span', { className: 'reason', textContent: s.suspendedReason || '' }));
  const row = el('tr', { className: s.status === 'suspended' ? 'suspended' : '' }, [
    el('th', { scope: 'row', textContent: s.streamId }),
    statusCell,
    el('td', { className: 'num', textContent: duration(s.lagMs) }),
    el('td', { textContent: when(s.lastSuccessAt) }),
    el('td', { className: 'num', textContent: String(s.pendingEvents) }),
    el('td', { className: 'num', textContent: String(s.consecutiveFailures) }),
    blockedCell(detail && detail.permits),
    actionsCell(s, detail),
  ]);
  row.dataset.stream = s.streamId;
  return row;
}

function who(list, text) {
  if (list.length === 0) return el('td', { className: 'muted', textContent: '—' });
  return el('td', {}, [el('ul', { className: 'plain' }, list.map((x) => el('li', { textContent: text(x) })))]);
}

// Saturation per semaphore over the last refreshes of this page (the API keeps no history).
const historyLength = 60;
const history = new Map();
function sparkline(name, saturation) {
  const samples = (history.get(name) || []).concat(saturation).slice(-historyLength);
  history.set(name, samples);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + (historyLength - 1) + ' 100');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('width', '120');
  svg.setAttribute('height', '24');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Saturation of ' + name + ' over the last ' + samples.length + ' refreshes: min ' + Math.min(...samples) + ' %, max ' + Math.max(...samples) + ' %');
  const frame = document.createElementNS(ns, 'rect');
  frame.setAttribute('width', String(historyLength - 1));
  frame.setAttribute('height', '100');
  frame.setAttribute('fill', '#eef3fa');
  svg.append(frame);
  const line = document.createElementNS(ns, 'polyline');
  const y = (v) => 5 + 0.9 * (100 - Math.min(v, 100));
  const points = samples.map((v, i) => (historyLength - samples.length + i) + ',' + y(v));
  if (samples.length === 1) points.unshift((historyLength - 2) + ',' + y(samples[0]));
  line.setAttribute('points', points.join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', '#0b4f9c');
  line.setAttribute('stroke-width', '2.5');
  line.setAttribute('vector-effect', 'non-scaling-stroke');
  svg.append(line);
  return svg;
}

function semaphoreRow(v) {
  const saturation = v.capacity > 0 ? Math.round((100 * v.held) / v.capacity) : 0;
  const meter = el('meter', { min: 0, max: 100, value: saturation, high: 80, optimum: 0 });
  meter.setAttribute('aria-label', 'Saturation of ' + v.name);
  const row = el('tr', {}, [
    el('th', { scope: 'row', textContent: v.name }),
    el('td', { className: 'num', textContent: String(v.capacity) }),
    el('td', { className: 'num', textContent: String(v.held) }),
    el('td', { className: 'num', textContent: String(v.waiters.length) }),
    el('td', { className: 'nowrap' }, [meter, ' ' + saturation + ' %']),
    el('td', {}, [sparkline(v.name, saturation)]),
    who(v.holders, (h) => h.owner + ' ×' + h.permits + ' (' + h.key + ', lease to ' + new Date(h.leaseExpiresAt).toLocaleTimeString() + ')'),
    who(v.waiters, (w) => '#' + w.position + ' ' + w.owner + ' wants ' + w.want + ' (' + w.key + ')'),
  ]);
  row.dataset.semaphore = v.name;
  return row;
}

async function allStreams() {
  const streams = [];
  let token = null;
  do {
    const page = await api('GET', 'streams?top=1000' + (token ? '&continuationToken=' + encodeURIComponent(token) : ''));
    streams.push(...page.streams);
    token = page.continuationToken;
  } while (token);
  return streams;
}

async function refresh() {
  const [streams, semaphores, activity] = await Promise.all([allStreams(), api('GET', 'semaphores'), refreshActivity()]);
  // Per-stream details (blocked-by, failed window) only for streams with a worker or a suspension.
  const details = await Promise.all(streams.map((s) => (s.status === 'idle' ? null : api('GET', 'streams/' + encodeURIComponent(s.streamId)))));
  streams.forEach((s, i) => { s.order = s.status === 'suspended' ? 0 : 1; s.detail = details[i]; });
  streams.sort((a, b) => a.order - b.order || a.streamId.localeCompare(b.streamId));
  document.getElementById('streams-body').replaceChildren(...(streams.length ? streams.map((s) => streamRow(s, s.detail)) : [el('tr', {}, [el('td', { colSpan: 8, className: 'muted', textContent: 'No stream yet.' })])]));
  document.getElementById('semaphores-body').replaceChildren(...(semaphores.semaphores.length ? semaphores.semaphores.map(semaphoreRow) : [el('tr', {}, [el('td', { colSpan: 8, className: 'muted', textContent: 'No semaphore entity yet.' })])]));
  const suspended = streams.filter((s) => s.status === 'suspended').length;
  document.getElementById('summary').textContent = streams.length + ' stream(s), ' + suspended + ' suspended; ' + semaphores.semaphores.length + ' semaphore(s); ' +
    activity.loads + ' load(s) running; ' + activity.deadLetters + ' dead-lettered message(s).';
}

${activityScript}
async function tick() {
  try {
    await refresh();
    say('Updated ' + new Date().toLocaleTimeString() + (paused ? ' (refresh paused)' : ''), false);
  } catch (error) {
    say(error.message, true);
  }
  if (!paused) timer = setTimeout(tick, refreshMs);
}

pauseButton.addEventListener('click', () => {
  paused = !paused;
  pauseButton.textContent = paused ? 'Resume refresh' : 'Pause refresh';
  pauseButton.setAttribute('aria-pressed', String(paused));
  if (paused) { clearTimeout(timer); say('Refresh paused.', false); } else { void tick(); }
});
document.getElementById('refresh-now').addEventListener('click', () => { clearTimeout(timer); void tick(); });
void tick();
`;

export const dashboardHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Sluice dashboard</title>
<style>${style}</style>
</head>
<body>
<header>
  <h1>Sluice dashboard</h1>
  <p id="status" role="status" aria-live="polite">Loading…</p>
  <button type="button" id="pause" aria-pressed="false">Pause refresh</button>
  <button type="button" id="refresh-now">Refresh now</button>
</header>
<main>
  <p id="summary" class="muted"></p>
  <section aria-labelledby="streams-title">
    <h2 id="streams-title">Streams</h2>
    <table>
      <caption>Suspended streams first; lag is the age of the oldest pending event. Refreshed every 5 s.</caption>
      <thead><tr>
        <th scope="col">Stream</th><th scope="col">Status</th><th scope="col" class="num">Lag</th><th scope="col">Last success</th>
        <th scope="col" class="num">Pending</th><th scope="col" class="num">Failures</th><th scope="col">Blocked by (queue position)</th><th scope="col">Actions</th>
      </tr></thead>
      <tbody id="streams-body"></tbody>
    </table>
  </section>
  <section aria-labelledby="semaphores-title">
    <h2 id="semaphores-title">Semaphores</h2>
    <table>
      <caption>Shards are summed; saturation is held / capacity. Its history here is what this page saw since it opened (the API stores none); the workbook in Application Insights keeps the per-minute history.</caption>
      <thead><tr>
        <th scope="col">Semaphore</th><th scope="col" class="num">Capacity</th><th scope="col" class="num">Held</th><th scope="col" class="num">Waiting</th>
        <th scope="col">Saturation</th><th scope="col">Saturation, recent refreshes</th><th scope="col">Holders</th><th scope="col">Waiters</th>
      </tr></thead>
      <tbody id="semaphores-body"></tbody>
    </table>
  </section>
${activitySections}
</main>
<dialog id="suspend-dialog" aria-labelledby="suspend-title">
  <form id="suspend-form">
    <h2 id="suspend-title">Suspend stream</h2>
    <label for="suspend-reason">Reason (shown to other operators)</label>
    <input id="suspend-reason" name="reason" maxlength="1000" required>
    <button type="submit">Suspend</button>
    <button type="button" id="suspend-cancel">Cancel</button>
  </form>
</dialog>
<script>${script}</script>
</body>
</html>
`;
