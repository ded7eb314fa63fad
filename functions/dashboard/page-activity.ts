/**
 * The dashboard's activity sections (loads in flight, ingress dead-letters, recent rejects): their markup and the
 * script that fills them from `GET /api/dashboard/activity`. Included by page.ts; uses its `api`, `el`, `when`.
 */
export const activitySections = `
  <section aria-labelledby="loads-title">
    <h2 id="loads-title">Loads in flight</h2>
    <p id="loads-error" class="error-line" hidden></p>
    <table>
      <caption>Running ELT loads, newest first (at most 20); progress is chunks loaded of the planned chunks.</caption>
      <thead><tr>
        <th scope="col">Load</th><th scope="col">Pipeline</th><th scope="col">Status</th><th scope="col">Progress</th>
        <th scope="col" class="num">Rows</th><th scope="col" class="num">Rejects</th><th scope="col">Started</th>
      </tr></thead>
      <tbody id="loads-body"></tbody>
    </table>
  </section>
  <section aria-labelledby="dlq-title">
    <h2 id="dlq-title">Dead-lettered ingress messages</h2>
    <p id="dlq-summary" class="muted"></p>
    <p id="dlq-error" class="error-line" hidden></p>
    <table>
      <caption>The newest dead-lettered messages of the ingress queue, with the reason Service Bus or the ingress gave.</caption>
      <thead><tr>
        <th scope="col">Enqueued</th><th scope="col">Stream (session)</th><th scope="col">Message id</th><th scope="col">Reason</th><th scope="col">Description</th>
      </tr></thead>
      <tbody id="dlq-body"></tbody>
    </table>
  </section>
  <section aria-labelledby="rejects-title">
    <h2 id="rejects-title">Recent rejects</h2>
    <p id="rejects-summary" class="muted"></p>
    <p id="rejects-error" class="error-line" hidden></p>
    <table>
      <caption>The newest blobs of the rejects container: rejected rows with file, line and reason, one NDJSON line each.</caption>
      <thead><tr><th scope="col">Blob</th><th scope="col">Written</th><th scope="col" class="num">Bytes</th></tr></thead>
      <tbody id="rejects-body"></tbody>
    </table>
  </section>
`;

export const activityScript = `
function partError(id, part) {
  const line = document.getElementById(id);
  line.hidden = !part.error;
  line.textContent = part.error ? 'Could not read this part: ' + part.error : '';
}

function emptyRow(columns, text) {
  return el('tr', {}, [el('td', { colSpan: columns, className: 'muted', textContent: text })]);
}

function loadRow(load) {
  const p = load.progress || {};
  const total = Number(p.chunksTotal) || 0;
  const done = Number(p.chunksDone) || 0;
  const progress = el('progress', { max: Math.max(total, 1), value: done });
  progress.setAttribute('aria-label', 'Progress of load ' + load.loadId + ': ' + done + ' of ' + total + ' chunks');
  const row = el('tr', {}, [
    el('th', { scope: 'row', textContent: load.loadId }),
    el('td', { textContent: load.pipeline || '—' }),
    el('td', { textContent: load.runtimeStatus }),
    el('td', { className: 'nowrap' }, [progress, ' ' + (total ? done + ' / ' + total + ' chunks' : 'planning')]),
    el('td', { className: 'num', textContent: p.rows === undefined ? '—' : String(p.rows) }),
    el('td', { className: 'num', textContent: p.rejects === undefined ? '—' : String(p.rejects) }),
    el('td', { textContent: when(load.createdAt) }),
  ]);
  row.dataset.load = load.loadId;
  return row;
}

function deadLetterRow(m) {
  return el('tr', {}, [
    el('td', { textContent: when(m.enqueuedAt) }),
    el('th', { scope: 'row', textContent: m.sessionId || '—' }),
    el('td', { textContent: m.messageId || '—' }),
    el('td', { textContent: m.reason || '—' }),
    el('td', { className: 'reason-text', textContent: m.description || '—' }),
  ]);
}

function rejectRow(b) {
  return el('tr', {}, [
    el('th', { scope: 'row', textContent: b.name }),
    el('td', { textContent: when(b.lastModified) }),
    el('td', { className: 'num', textContent: b.bytes === null ? '—' : String(b.bytes) }),
  ]);
}

async function refreshActivity() {
  const activity = await api('GET', 'dashboard/activity');
  partError('loads-error', activity.loads);
  const loads = activity.loads.value || [];
  document.getElementById('loads-body').replaceChildren(...(loads.length ? loads.map(loadRow) : [emptyRow(7, 'No load running.')]));
  partError('dlq-error', activity.deadLetters);
  const dlq = activity.deadLetters.value;
  document.getElementById('dlq-summary').textContent = dlq ? dlq.count + (dlq.capped ? '+' : '') + ' message(s) in the dead-letter queue of ' + dlq.queue + '.' : '';
  document.getElementById('dlq-body').replaceChildren(...(dlq && dlq.newest.length ? dlq.newest.map(deadLetterRow) : [emptyRow(5, 'No dead-lettered message.')]));
  partError('rejects-error', activity.rejects);
  const rejects = activity.rejects.value;
  document.getElementById('rejects-summary').textContent = rejects ? rejects.scanned + (rejects.capped ? '+' : '') + ' blob(s) in container ' + rejects.container + '.' : '';
  document.getElementById('rejects-body').replaceChildren(...(rejects && rejects.newest.length ? rejects.newest.map(rejectRow) : [emptyRow(3, 'No rejects.')]));
  return { loads: loads.length, deadLetters: dlq ? dlq.count : 0 };
}
`;
