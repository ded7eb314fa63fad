// Runs a TypeScript entry in a plain Node process (kill -9 test children, benchmarks): each .ts file is
// compiled on require with TypeScript's transpileModule (CommonJS). Outputs are cached in the OS temp dir by
// path, size and mtime, so later processes skip loading the compiler (it costs seconds per start).
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const cacheDir = path.join(os.tmpdir(), 'sluice-ts-cache');
fs.mkdirSync(cacheDir, { recursive: true });
let ts;

require.extensions['.ts'] = (module, filename) => {
  const stat = fs.statSync(filename);
  const key = crypto.createHash('sha256').update(`${filename}:${stat.size}:${stat.mtimeMs}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let outputText;
  try {
    outputText = fs.readFileSync(cached, 'utf8');
  } catch {
    ts ??= require('typescript');
    ({ outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: filename,
    }));
    const temp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temp, outputText);
    fs.renameSync(temp, cached);
  }
  module._compile(outputText, filename);
};

const [entry, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], entry, ...rest];
require(path.resolve(entry));
