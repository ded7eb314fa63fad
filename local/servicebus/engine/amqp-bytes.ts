/**
 * The engine stores each message as the producer's encoded AMQP bytes. The only edits the broker makes to
 * them are application properties (dead-letter reason and description, properties to modify on abandon,
 * defer or dead-letter), done here by decode + patch + encode.
 */
import { message as amqpMessage } from 'rhea';

export function patchApplicationProperties(amqp: Buffer, patch: Record<string, unknown>): Buffer {
  const keys = Object.keys(patch);
  if (keys.length === 0) return amqp;
  const decoded = amqpMessage.decode(amqp);
  decoded.application_properties = { ...(decoded.application_properties ?? {}), ...patch };
  return amqpMessage.encode(decoded);
}
