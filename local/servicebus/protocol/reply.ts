/**
 * Request/response plumbing shared by `$cbs` and `$management`: the client opens a receiver whose link name
 * (CBS) or target address (management) is the `reply_to` of its requests; the reply goes out on the server
 * sender of that link with `correlation_id` = request `message_id`.
 */
import type { Connection, Message, Sender } from 'rhea';

export function findReplySender(connection: Connection, replyTo: string): Sender | undefined {
  return connection.find_sender((s: Sender) => s.name === replyTo || (s.target as { address?: string } | undefined)?.address === replyTo);
}

export function sendReply(connection: Connection, request: Message, reply: Message): boolean {
  const replyTo = typeof request.reply_to === 'string' ? request.reply_to : undefined;
  const sender = replyTo === undefined ? undefined : findReplySender(connection, replyTo);
  if (!sender) return false;
  const delivery = sender.send({ ...reply, correlation_id: request.message_id, to: replyTo });
  // Replies go out pre-settled: with autosettle off, an unsettled reply would hold one of the session's 2048
  // outgoing slots forever and a long-lived management link would stop answering.
  delivery.update(true);
  return true;
}
