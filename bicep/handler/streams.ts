/**
 * `Sluice/streams`: converges a stream to its declared operator state through the streams API (GET, then suspend or
 * resume only when the state differs, so a re-run changes nothing). Nothing is stored for it; removing the
 * declaration leaves the stream as it is.
 */
import { streamDesiredStateSchema, type ExtensionConfig, type StreamDesiredState } from '../resource-types';
import { callSluice, RequestError, type ApiAnswer } from './api-call';

export function parseStreamState(properties: Record<string, unknown>): StreamDesiredState {
  const { status: _readOnly, ...declared } = properties;
  const result = streamDesiredStateSchema.safeParse(declared);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new RequestError('SluiceInvalidProperty', field, `Sluice/streams is invalid at "${field}": ${issue?.message ?? 'invalid'}. To fix: correct it in the Bicep file.`);
}

function streamError(name: string, answer: ApiAnswer): RequestError {
  const error = (answer.body['error'] ?? {}) as { code?: string; message?: string; target?: string | null };
  return new RequestError(error.code ?? `Http${answer.status}`, error.target ?? '', `Sluice rejected stream ${name} (HTTP ${answer.status}): ${error.message ?? 'no details'}`);
}

async function currentStatus(config: ExtensionConfig, name: string): Promise<{ status: string; reason: string | undefined } | undefined> {
  const answer = await callSluice(config, 'GET', `streams/${encodeURIComponent(name)}`, `stream ${name}`);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw streamError(name, answer);
  const suspension = answer.body['suspension'] as { reason?: string } | null | undefined;
  return { status: String(answer.body['status']), reason: suspension?.reason };
}

/** Applies the declared state; answers the properties to report back to Bicep. */
export async function applyStreamState(config: ExtensionConfig, state: StreamDesiredState): Promise<Record<string, unknown>> {
  const current = await currentStatus(config, state.name);
  if (current === undefined) {
    if (!state.suspended) return { ...state, status: 'unchanged (no events yet)' };
    throw new RequestError('SluiceStreamNotFound', 'name', `Stream "${state.name}" has received no events yet, so it cannot be suspended. ` +
      'To fix: deploy again once it exists, or declare suspended: false.');
  }
  const isSuspended = current.status === 'suspended';
  if (isSuspended === state.suspended) return { ...state, status: `unchanged (${current.status})` };
  const command = state.suspended ? 'suspend' : 'resume';
  const body = state.suspended ? { reason: state.reason } : {};
  const answer = await callSluice(config, 'POST', `streams/${encodeURIComponent(state.name)}/${command}`, `stream ${state.name}`, body);
  if (answer.status !== 200) throw streamError(state.name, answer);
  const after = (answer.body['stream'] ?? {}) as { status?: string };
  return { ...state, status: `${state.suspended ? 'suspended' : 'resumed'} (${after.status ?? 'unknown'})` };
}

export async function readStreamState(config: ExtensionConfig, name: string): Promise<Record<string, unknown>> {
  const current = await currentStatus(config, name);
  if (current === undefined) throw new RequestError('SluiceStreamNotFound', 'name', `Stream "${name}" does not exist (it has received no events).`);
  return { name, suspended: current.status === 'suspended', ...(current.reason === undefined ? {} : { reason: current.reason }), status: current.status };
}
