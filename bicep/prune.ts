/**
 * `npm run config:prune -- --outputs <file> [--apply]`: Bicep local-deploy never deletes, so this lists the stored
 * configuration items that the deployment no longer declares and, with --apply, deletes them.
 * <file> is the JSON printed by `bicep local-deploy <params> --format Json`; the template must output
 * `declared` = { <API kind>: [names] } (infra/config/main.bicep does). Endpoint and key come from the environment
 * (SLUICE_ENDPOINT, SLUICE_FUNCTION_KEY or SLUICE_ACCESS_TOKEN), never from the command line.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CONFIG_KINDS, type ConfigKind } from '../core/config';

const outputsSchema = z.object({
  outputs: z.object({ declared: z.partialRecord(z.enum(CONFIG_KINDS), z.array(z.string())) }),
});

const argsSchema = z.object({ outputs: z.string().min(1), apply: z.boolean() });

function parseArgs(argv: string[]): z.output<typeof argsSchema> {
  const at = argv.indexOf('--outputs');
  const result = argsSchema.safeParse({ outputs: at < 0 ? '' : argv[at + 1], apply: argv.includes('--apply') });
  if (!result.success) throw new Error('Usage: config:prune -- --outputs <local-deploy --format Json output file> [--apply]');
  return result.data;
}

// Pipelines first: they refer to the other kinds, and the API refuses to delete an item still referred to.
const deleteOrder: ConfigKind[] = ['pipelines', 'semaphores', 'streamPolicies', 'notificationTargets'];

export async function prune(argv: string[], env: NodeJS.ProcessEnv, write: (line: string) => void): Promise<number> {
  const args = parseArgs(argv);
  const parsed = outputsSchema.safeParse(JSON.parse(readFileSync(args.outputs, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${args.outputs} has no "outputs.declared" object of kind -> names. To fix: add "output declared object = { pipelines: [...], ... }" to the template and pass the --format Json output.`);
  }
  const endpoint = z.string().regex(/^https?:\/\//).safeParse(env['SLUICE_ENDPOINT']);
  if (!endpoint.success) throw new Error('SLUICE_ENDPOINT is not an http(s) URL. To fix: set it to the Sluice app base URL.');
  const headers: Record<string, string> = {};
  if (env['SLUICE_FUNCTION_KEY']) headers['x-functions-key'] = env['SLUICE_FUNCTION_KEY'];
  if (env['SLUICE_ACCESS_TOKEN']) headers['authorization'] = `Bearer ${env['SLUICE_ACCESS_TOKEN']}`;
  const base = `${endpoint.data.replace(/\/+$/, '')}/api/config`;
  let undeclared = 0;
  for (const kind of deleteOrder) {
    const declared = new Set(parsed.data.outputs.declared[kind] ?? []);
    const response = await fetch(`${base}/${kind}`, { headers, signal: AbortSignal.timeout(30_000) });
    if (response.status !== 200) throw new Error(`GET /api/config/${kind} answered HTTP ${response.status}. To fix: check the endpoint and the key.`);
    const { items } = (await response.json()) as { items: Array<{ name: string }> };
    for (const { name } of items.filter((item) => !declared.has(item.name))) {
      undeclared++;
      if (!args.apply) {
        write(`would delete ${kind}/${name}`);
        continue;
      }
      const deleted = await fetch(`${base}/${kind}/${encodeURIComponent(name)}`, { method: 'DELETE', headers, signal: AbortSignal.timeout(30_000) });
      if (deleted.status !== 204 && deleted.status !== 404) throw new Error(`DELETE ${kind}/${name}: HTTP ${deleted.status} ${await deleted.text()}`);
      write(`deleted ${kind}/${name}`);
    }
  }
  write(`${undeclared} stored item(s) not declared${args.apply || undeclared === 0 ? '' : ' (dry run: add --apply to delete them)'}`);
  return undeclared;
}

if (require.main === module) {
  prune(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).catch((error: unknown) => {
    process.stderr.write(`config:prune: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
