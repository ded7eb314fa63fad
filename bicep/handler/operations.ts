/**
 * What the handler does per Bicep call: validate the request with zod (the core item schemas), apply it through
 * the Sluice management API, and answer a resource or an ErrorData whose target names the field. Never throws:
 * a gRPC error would reach the user only as "internal server error". Never logs or returns a secret.
 */
import { z } from 'zod';
import { parseConfigItem, type ConfigKind } from '../../core/config';
import { isSluiceError } from '../../core/errors';
import { extensionConfigSchema, RESOURCE_TYPES, STREAM_RESOURCE_TYPE, type ExtensionConfig } from '../resource-types';
import { callSluice, RequestError, type ApiAnswer } from './api-call';
import type { ExtensionError, OperationResponse, ResourceReference, ResourceSpecification } from './protocol';
import { applyStreamState, parseStreamState, readStreamState } from './streams';

function fail(error: unknown): OperationResponse {
  const e: ExtensionError = error instanceof RequestError
    ? { code: error.code, target: error.target, message: error.message, details: [] }
    : { code: 'SluiceHandlerFailed', target: '', message: `The Sluice extension failed: ${(error as Error).message}`, details: [] };
  return { errorData: { error: e } };
}

function parseJson(text: string, what: string, target: string): unknown {
  try {
    return JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw new RequestError('InvalidRequest', target, `${what} is not valid JSON. To fix: report this as a Bicep extension bug.`);
  }
}

function parseConfig(text: string): ExtensionConfig {
  const result = extensionConfigSchema.safeParse(parseJson(text, 'The extension configuration', 'config'));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new RequestError('InvalidConfiguration', `config.${field}`,
    `The extension configuration is invalid at "${field}": ${issue?.message ?? 'invalid'}. To fix: correct it in "extension sluice with { ... }".`);
}

function kindOf(type: string): ConfigKind {
  const name = type.split('@')[0] as keyof typeof RESOURCE_TYPES;
  const kind = RESOURCE_TYPES[name];
  if (kind === undefined) throw new RequestError('UnknownResourceType', 'type', `Resource type ${JSON.stringify(type)} is not a Sluice type. To fix: use one of ${Object.keys(RESOURCE_TYPES).join(', ')}.`);
  return kind;
}

const namedSchema = z.object({ name: z.string().min(1, 'expected a name') }).loose();

function nameOf(value: unknown): string {
  const result = namedSchema.safeParse(value);
  if (!result.success) throw new RequestError('SluiceInvalidProperty', 'name', 'The resource has no "name". To fix: give it a name.');
  return result.data.name;
}

function callApi(config: ExtensionConfig, method: string, kind: ConfigKind, name: string, body?: unknown): Promise<ApiAnswer> {
  return callSluice(config, method, `config/${kind}/${encodeURIComponent(name)}`, `${kind}/${name}`, body);
}

function isStreamType(type: string): boolean {
  return type.split('@')[0] === STREAM_RESOURCE_TYPE;
}

function apiError(kind: ConfigKind, name: string, answer: ApiAnswer): RequestError {
  if (answer.status === 401 || answer.status === 403) {
    return new RequestError('SluiceUnauthorized', 'config.functionKey', `The Sluice management API refused the credentials (HTTP ${answer.status}) for ${kind}/${name}. To fix: pass a valid function key or Entra access token.`);
  }
  const error = (answer.body['error'] ?? {}) as { code?: string; message?: string; target?: string | null };
  return new RequestError(error.code ?? `Http${answer.status}`, error.target ?? '', `Sluice rejected ${kind}/${name} (HTTP ${answer.status}): ${error.message ?? 'no details'}`);
}

function resource(type: string, apiVersion: string, name: string, properties: Record<string, unknown>): OperationResponse {
  return { resource: { type, apiVersion, identifiers: JSON.stringify({ name }), properties: JSON.stringify(properties), status: 'Succeeded' } };
}

/** Validates a declared resource; returns its kind, name and the properties without the read-only `status`. */
function validate(spec: ResourceSpecification): { config: ExtensionConfig; kind: ConfigKind; name: string; body: Record<string, unknown> } {
  const config = parseConfig(spec.config);
  const kind = kindOf(spec.type);
  const properties = parseJson(spec.properties, 'The resource properties', 'properties');
  const name = nameOf(properties);
  // The name travels in the URL; a semaphore's is its key ("target:warehouse"), not its body "name".
  const { status: _readOnly, name: _inUrl, ...body } = properties as Record<string, unknown>;
  try {
    parseConfigItem(kind, name, body);
  } catch (error) {
    if (isSluiceError(error)) throw new RequestError('SluiceInvalidProperty', error.ids['target'] ?? '', error.message);
    throw error;
  }
  return { config, kind, name, body };
}

export async function createOrUpdate(spec: ResourceSpecification): Promise<OperationResponse> {
  try {
    if (isStreamType(spec.type)) {
      const config = parseConfig(spec.config);
      const state = parseStreamState(parseJson(spec.properties, 'The resource properties', 'properties') as Record<string, unknown>);
      return resource(spec.type, spec.apiVersion, state.name, await applyStreamState(config, state));
    }
    const { config, kind, name, body } = validate(spec);
    const answer = await callApi(config, 'PUT', kind, name, body);
    if (answer.status !== 200 && answer.status !== 201) throw apiError(kind, name, answer);
    const version = Number(answer.body['version']);
    const outcome = answer.status === 201 ? 'created' : 'applied';
    return resource(spec.type, spec.apiVersion, name, { ...body, name, status: `${outcome} (version ${version})` });
  } catch (error) {
    return fail(error);
  }
}

/** Validation only: what would be sent, without calling the app. */
export async function preview(spec: ResourceSpecification): Promise<OperationResponse> {
  try {
    if (isStreamType(spec.type)) {
      parseConfig(spec.config);
      const state = parseStreamState(parseJson(spec.properties, 'The resource properties', 'properties') as Record<string, unknown>);
      return resource(spec.type, spec.apiVersion, state.name, { ...state, status: 'preview' });
    }
    const { name, body } = validate(spec);
    return resource(spec.type, spec.apiVersion, name, { ...body, name, status: 'preview' });
  } catch (error) {
    return fail(error);
  }
}

export async function get(reference: ResourceReference): Promise<OperationResponse> {
  try {
    const config = parseConfig(reference.config);
    if (isStreamType(reference.type)) {
      const name = nameOf(parseJson(reference.identifiers, 'The resource identifiers', 'identifiers'));
      return resource(reference.type, reference.apiVersion, name, await readStreamState(config, name));
    }
    const kind = kindOf(reference.type);
    const name = nameOf(parseJson(reference.identifiers, 'The resource identifiers', 'identifiers'));
    const answer = await callApi(config, 'GET', kind, name);
    if (answer.status !== 200) throw apiError(kind, name, answer);
    return resource(reference.type, reference.apiVersion, name, { ...(answer.body['spec'] as Record<string, unknown>), name, status: `version ${String(answer.body['version'])}` });
  } catch (error) {
    return fail(error);
  }
}

/** Idempotent: deleting an item that is already gone succeeds. */
export async function remove(reference: ResourceReference): Promise<OperationResponse> {
  try {
    const config = parseConfig(reference.config);
    if (isStreamType(reference.type)) {
      // A stream's state is not configuration: forgetting the declaration leaves the stream as it is.
      const name = nameOf(parseJson(reference.identifiers, 'The resource identifiers', 'identifiers'));
      return resource(reference.type, reference.apiVersion, name, { name, status: 'left as it is' });
    }
    const kind = kindOf(reference.type);
    const name = nameOf(parseJson(reference.identifiers, 'The resource identifiers', 'identifiers'));
    const answer = await callApi(config, 'DELETE', kind, name);
    if (answer.status !== 204 && answer.status !== 404) throw apiError(kind, name, answer);
    return resource(reference.type, reference.apiVersion, name, { name, status: 'deleted' });
  } catch (error) {
    return fail(error);
  }
}
