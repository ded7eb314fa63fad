/**
 * Input data for the durableClient (and legacy orchestrationClient) bindings of any function: the Durable half
 * supplies the payload; without it such functions fail loudly instead of getting a client that cannot work.
 */
import type { DurableHost, InvocationInput, RegisteredFunction } from '../contracts';
import { LocalHostError } from '../errors';

const clientBindingTypes = new Set(['durableclient', 'orchestrationclient']);

export function clientInputData(fn: RegisteredFunction, durable: DurableHost | undefined): InvocationInput['inputData'] {
  const entries: InvocationInput['inputData'] = [];
  for (const [name, binding] of Object.entries(fn.bindings)) {
    if (binding.direction !== 'in' || !clientBindingTypes.has(binding.type.toLowerCase())) continue;
    if (durable === undefined) {
      throw new LocalHostError(
        'DurableHostMissing',
        `Function '${fn.name}' has a ${binding.type} input, but this host runs without a Durable engine. ` +
          'To fix: start the host with a durable factory (startHost({ durable })).',
      );
    }
    entries.push({ name, data: { string: JSON.stringify(durable.getDurableClientPayload(binding)) } });
  }
  return entries;
}
