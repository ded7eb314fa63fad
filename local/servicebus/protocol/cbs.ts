/**
 * `$cbs` claims-based security: the SDK sends `put-token` before every link. The emulator accepts any token
 * (it is a local development tool; keys are not checked) and answers 202 as the service does.
 */
import type { Connection, Message } from 'rhea';
import { sendReply } from './reply';

export function handleCbsRequest(connection: Connection, request: Message): void {
  const operation: unknown = request.application_properties?.operation;
  const ok = operation === 'put-token';
  sendReply(connection, request, {
    body: null,
    application_properties: {
      'status-code': ok ? 202 : 400,
      'status-description': ok ? 'Accepted' : `CBS operation '${String(operation)}' is not supported; only put-token is.`,
    },
  });
}
