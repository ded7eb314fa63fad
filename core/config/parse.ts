/** parseConfig: typed configuration or one `ConfigInvalid` error naming every bad field, what was found and the fix. */
import { z } from 'zod';
import { SluiceError } from '../errors';
import { ENV_KEYS } from './env-keys';
import { findByStream } from './patterns';
import type { PipelineConfig } from './pipeline';
import { streamPolicySchema, type StreamPolicyConfig } from './policy';
import { sluiceConfigSchema, type SluiceConfig } from './schema';

export interface ParseConfigOptions {
  /** Where the configuration came from, named in "To fix". @default the SLUICE_CONFIG app setting */
  source?: string;
}

export function parseConfig(input: unknown, options: ParseConfigOptions = {}): SluiceConfig {
  const result = sluiceConfigSchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const source = options.source ?? `the ${ENV_KEYS.config} app setting`;
  const lines = result.error.issues.map((issue) => describeIssue(issue, source));
  throw new SluiceError('ConfigInvalid', lines.join('\n'), { ids: { fields: result.error.issues.map((i) => formatPath(i.path)).join(',') } });
}

/** parseConfig for JSON text (an app setting or a request body); syntax errors become `ConfigInvalid` too. */
export function parseConfigJson(text: string, options: ParseConfigOptions = {}): SluiceConfig {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    const source = options.source ?? `the ${ENV_KEYS.config} app setting`;
    throw new SluiceError(
      'ConfigInvalid',
      `Config invalid: ${source} is not valid JSON (${(error as Error).message}). To fix: write the configuration as one JSON object.`,
      { cause: error },
    );
  }
  return parseConfig(input, options);
}

/** The stream policy a pipeline uses; "default" is built in unless the configuration declares it. */
export function resolvePolicy(config: SluiceConfig, name: string): StreamPolicyConfig {
  const declared = config.streamPolicies.find((p) => p.name === name);
  if (declared !== undefined) return declared;
  if (name === 'default') return streamPolicySchema.parse({ name: 'default' });
  throw new SluiceError('ConfigInvalid', `Config invalid: stream policy "${name}" is not declared. To fix: add it to "streamPolicies" or use "default".`);
}

/** The pipeline serving `streamId` (first match in declaration order). */
export function findPipeline(config: SluiceConfig, streamId: string): PipelineConfig | undefined {
  return findByStream(config.pipelines, streamId);
}

/** `pipelines[0].target.table` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

function describeIssue(issue: z.core.$ZodIssue, source: string): string {
  const path = formatPath(issue.path);
  const at = `Config invalid at "${path}"`;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `${at}: unknown key ${keys}. To fix: remove it from ${source} or correct its spelling.`;
  }
  const expected = expectation(issue);
  const got = 'input' in issue ? `, got ${show(reportedInput(issue))}` : '';
  const wanted = expected.replace(/^expected /, '');
  const fix = reportedInput(issue) === undefined ? `add "${path}" to ${source}: ${wanted}` : `set "${path}" in ${source} to ${wanted}`;
  return `${at}: ${expected}${got}. To fix: ${fix}.`;
}

/** The offending value; for a bad discriminator zod reports the whole object, so pick the discriminator's value. */
function reportedInput(issue: z.core.$ZodIssue): unknown {
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined && typeof issue.input === 'object' && issue.input !== null) {
    return (issue.input as Record<string, unknown>)[issue.discriminator];
  }
  return issue.input;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.message.startsWith('expected ') ? issue.message : `expected ${article(issue.expected)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'options' in issue && issue.options !== undefined && issue.options.length > 0
        ? `expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`
        : 'expected a value matching one of the allowed shapes';
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'custom':
      return issue.message.startsWith('expected ') ? issue.message : `expected ${issue.message}`;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
