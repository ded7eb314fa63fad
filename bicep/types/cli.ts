/** `npm run bicep:types`: writes bicep/types/index.json and types.json from the zod schemas. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateBicepTypes } from './generate';

const root = path.resolve(__dirname, '../../..');
const out = path.join(root, 'bicep', 'types');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const generated = generateBicepTypes(version);
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'index.json'), generated.indexJson);
writeFileSync(path.join(out, 'types.json'), generated.typesJson);
process.stdout.write(`bicep:types: wrote ${path.relative(root, out)}/index.json and types.json (sluice ${version})\n`);
