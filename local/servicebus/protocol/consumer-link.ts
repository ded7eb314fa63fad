/**
 * A client receiver link as an engine `Consumer`: credit comes from the link's flow, deliveries go out as
 * transfers tagged with the lock token, settlement comes back as dispositions.
 */
import type { Sender } from 'rhea';
import type { Entity } from '../engine/entity';
import type { Consumer, Delivered, ReceiveMode } from '../engine/types';
import { errors } from '../errors';
import { encodeDelivered, lockTokenToDeliveryTag } from './codec';

/** rhea internals read to count transfers queued but not yet written (credit is only taken on write). */
interface OutgoingInternals {
  outgoing: { next_delivery_id: number; next_pending_delivery: number; available(): boolean };
}

/**
 * rhea only echoes `drain` on a flow while the link still has credit. When the deliveries sent for the drain
 * used the last credit (or none was left), no drained flow would go out and the SDK would close the link
 * (for a session receiver: the session is lost). AMQP says the drained flow is due either way.
 */
function answerDrainWithoutCredit(sender: Sender): void {
  const link = sender as unknown as { _draining: boolean; _drained: boolean; credit: number; delivery_count: number; _get_drain(): boolean };
  link._get_drain = function getDrain(this: typeof link): boolean {
    if (!this._draining || !this._drained) return false;
    this.delivery_count += this.credit;
    this.credit = 0;
    return true;
  };
}

export class ConsumerLink implements Consumer {
  sessionId: string | undefined;
  /** Lock tokens of this link's unsettled deliveries. */
  readonly lockTokens = new WeakMap<object, string>();
  cancelAccept: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly mode: ReceiveMode,
    readonly entity: Entity,
    readonly sender: Sender,
  ) {
    answerDrainWithoutCredit(sender);
  }

  credit(): number {
    if (!this.sender.is_open()) return 0;
    const outgoing = (this.sender.session as unknown as OutgoingInternals).outgoing;
    if (!outgoing.available()) return 0;
    return (this.sender as unknown as { credit: number }).credit - (outgoing.next_delivery_id - outgoing.next_pending_delivery);
  }

  deliver(d: Delivered): void {
    const tag = d.lockToken !== undefined ? lockTokenToDeliveryTag(d.lockToken) : Buffer.from(crypto.randomUUID().replaceAll('-', ''), 'hex');
    // Sending pre-encoded bytes (format 0) so the stored message is not decoded twice.
    const delivery = this.sender.send(encodeDelivered(d), tag, 0);
    if (d.lockToken !== undefined) this.lockTokens.set(delivery, d.lockToken);
  }

  sessionLockLost(): void {
    const sessionId = this.sessionId ?? '';
    this.sender.close(errors.sessionLockLost(this.entity.path, sessionId, this.entity.clock.nowMs()).toAmqpError());
  }
}
