// Reads Bicep CLI output holding SARIF documents (one per input file, concatenated, possibly mixed with plain
// text), prints every diagnostic and any stray text, and exits 1 if there was any diagnostic (errors and
// warnings alike).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Splits text into top-level JSON objects and the plain text between them. */
function splitOutput(text) {
  const docs = [];
  let other = '';
  let depth = 0, inString = false, escaped = false, start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (depth === 0) {
      if (c === '{') { depth = 1; start = i; } else other += c;
    } else if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)));
  }
  if (depth !== 0) other += text.slice(start);
  return { docs, other: other.trim() };
}

function where(result) {
  const loc = result.locations?.[0]?.physicalLocation;
  if (!loc) return '(no location)';
  const uri = loc.artifactLocation?.uri ?? '';
  const file = uri.startsWith('file://') ? path.relative(process.cwd(), new URL(uri).pathname) : uri;
  return `${file}(${loc.region?.startLine ?? '?'},${loc.region?.charOffset ?? loc.region?.startColumn ?? '?'})`;
}

let diagnostics = 0;
for (const file of process.argv.slice(2)) {
  const { docs, other } = splitOutput(fs.readFileSync(file, 'utf8'));
  if (other) console.error(`${path.basename(file, '.sarif')}: ${other}`);
  for (const doc of docs) {
    for (const run of doc.runs ?? []) {
      for (const r of run.results ?? []) {
        console.error(`${where(r)} : ${r.level ?? 'warning'} ${r.ruleId}: ${r.message?.text ?? ''}`);
        diagnostics++;
      }
    }
  }
}
if (diagnostics > 0) {
  console.error(`infra:check: ${diagnostics} Bicep diagnostic(s)`);
  process.exit(1);
}
