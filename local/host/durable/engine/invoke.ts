import type { FunctionInvoker, InvocationInput, RegisteredFunction, RpcTypedData } from '../../contracts';

const CLIENT_BINDING_TYPES = new Set(['durableclient', 'orchestrationclient']);

/** Input data for a function's durableClient bindings (an activity may start or signal instances, as on Azure). */
export function clientInputs(fn: RegisteredFunction, payload: () => unknown): InvocationInput['inputData'] {
  return Object.entries(fn.bindings)
    .filter(([, b]) => b.direction === 'in' && CLIENT_BINDING_TYPES.has(b.type.toLowerCase()))
    .map(([name]) => ({ name, data: { string: JSON.stringify(payload()) } }));
}

/** Finds a registered function by trigger type and name (exact first, then case-insensitive like Azure). */
export function findFunction(invoker: FunctionInvoker, triggerType: string, name: string): RegisteredFunction | undefined {
  const candidates = invoker.listFunctions().filter((f) => f.triggerType === triggerType);
  return candidates.find((f) => f.name === name) ?? candidates.find((f) => f.name.toLowerCase() === name.toLowerCase());
}

/** Invokes a durable trigger with a JSON payload, returning the decoded return value. */
export async function invokeWithPayload(
  invoker: FunctionInvoker,
  fn: RegisteredFunction,
  payload: unknown,
  instanceId: string,
  extraInputs: InvocationInput['inputData'] = [],
): Promise<unknown> {
  const output = await invoker.invoke(fn.name, {
    inputData: [{ name: fn.triggerBindingName, data: { string: JSON.stringify(payload) } }, ...extraInputs],
    triggerMetadata: {},
    instanceId,
  });
  const text = returnValueAsJson(output.returnValue);
  return JSON.parse(text) as unknown;
}

/** The JSON text of an invocation's return value, as the extension records it ("null" when absent). */
export function returnValueAsJson(value: RpcTypedData | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value.json === 'string') return value.json;
  if (typeof value.string === 'string') return JSON.stringify(value.string);
  if (typeof value.int === 'number') return JSON.stringify(value.int);
  if (typeof value.double === 'number') return JSON.stringify(value.double);
  if (value.bytes !== undefined && value.bytes !== null) return JSON.stringify(Buffer.from(value.bytes).toString('base64'));
  return 'null';
}

export function errorText(error: unknown): { message: string; stack: string } {
  if (error instanceof Error) return { message: error.message, stack: error.stack ?? '' };
  return { message: String(error), stack: '' };
}
