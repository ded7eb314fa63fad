/**
 * Link routing on the rhea container: which attach is CBS, `$management`, a sender to a queue or a receiver
 * from a queue (plain or session), and what each transfer or disposition means for the engine.
 */
import { message as amqpMessage, type Connection, type Container, type Delivery, type EventContext, type Receiver, type Sender } from 'rhea';
import type { Broker } from '../engine/broker';
import { DEAD_LETTER_SUFFIX } from '../engine/broker';
import type { Disposition } from '../engine/types';
import { errors, isServiceBusEmulatorError, type ServiceBusEmulatorError } from '../errors';
import { handleCbsRequest } from './cbs';
import { decodeTransfer, wrapTicks } from './codec';
import { ConsumerLink } from './consumer-link';
import { handleManagementRequest } from './management';

/** rhea's outcome constructors (missing from its typings). */
interface Described {
  described(): unknown;
}
const outcomes = amqpMessage as unknown as Record<'accepted' | 'released', () => Described> &
  Record<'rejected' | 'modified', (fields: object) => Described>;

const MANAGEMENT_SUFFIX = '/$management';
const SESSION_FILTER = 'com.microsoft:session-filter';
const DEFAULT_ACCEPT_TIMEOUT_IN_MS = 60_000;

export interface LinkRouterOptions {
  broker: Broker;
  maxMessageSizeInBytes: number;
  log: (event: string, props: Record<string, unknown>) => void;
}

interface Terminus {
  address: string;
  filter?: Record<string, unknown>;
}

/** rhea opens a link as soon as the attach arrives; holding it (long-poll) undoes that until we answer. */
interface EndpointStateInternals {
  state: { local_open: boolean; open_requests: number };
}

export class LinkRouter {
  private readonly consumers = new Map<Sender, ConsumerLink>();
  private nextId = 0;

  constructor(private readonly opts: LinkRouterOptions) {}

  attach(container: Container): void {
    const guard = (name: string, fn: (ctx: EventContext) => void) => (ctx: EventContext) => {
      try {
        fn(ctx);
      } catch (e) {
        this.opts.log('handler-failed', { event: name, error: (e as Error).stack ?? String(e) });
      }
    };
    container.on('receiver_open', guard('receiver_open', (ctx) => this.onClientSender(ctx.receiver as Receiver)));
    container.on('sender_open', guard('sender_open', (ctx) => this.onClientReceiver(ctx.sender as Sender)));
    container.on('message', guard('message', (ctx) => this.onTransfer(ctx)));
    for (const outcome of ['accepted', 'rejected', 'modified', 'released'] as const) {
      container.on(outcome, guard(outcome, (ctx) => this.onSettle(ctx, outcome)));
    }
    container.on('sendable', guard('sendable', (ctx) => this.consumers.get(ctx.sender as Sender)?.entity.pump()));
    container.on('sender_draining', guard('sender_draining', (ctx) => {
      const sender = ctx.sender as Sender;
      this.consumers.get(sender)?.entity.pump();
      sender.set_drained(true);
    }));
    container.on('sender_close', guard('sender_close', (ctx) => this.drop(ctx.sender as Sender)));
    container.on('session_close', guard('session_close', (ctx) => this.dropWhere((s) => s.session === ctx.session)));
    container.on('connection_close', guard('connection_close', (ctx) => this.dropWhere((s) => s.connection === ctx.connection)));
    container.on('disconnected', guard('disconnected', (ctx) => this.dropWhere((s) => s.connection === ctx.connection)));
    // Errors reach the client as AMQP errors; an unhandled 'error' event must not stop the emulator.
    container.on('error', (e: unknown) => this.opts.log('amqp-error', { error: String(e) }));
  }

  stop(): void {
    this.dropWhere(() => true);
  }

  private now(): number {
    return this.opts.broker.clock.nowMs();
  }

  /** Client sender: to `$cbs`, to `<entity>/$management`, or to a queue. */
  private onClientSender(receiver: Receiver): void {
    const target = (receiver.target as Terminus | undefined)?.address ?? '';
    receiver.set_target(receiver.target);
    receiver.set_source(receiver.source);
    if (target === '$cbs') return;
    const entityPath = target.endsWith(MANAGEMENT_SUFFIX) ? target.slice(0, -MANAGEMENT_SUFFIX.length) : target;
    const entity = this.opts.broker.entity(entityPath);
    if (!entity) return this.refuse(receiver, errors.entityNotFound(target, this.now()));
    if (target.endsWith(MANAGEMENT_SUFFIX)) return;
    if (entity.path.endsWith(DEAD_LETTER_SUFFIX)) {
      return this.refuse(receiver, errors.badRequest(`Cannot send to the dead-letter queue '${entity.path}'; the broker moves messages there.`, this.now()));
    }
    (receiver as unknown as { local: { attach: { max_message_size: number } } }).local.attach.max_message_size = this.opts.maxMessageSizeInBytes;
  }

  /** Client receiver: `$cbs` or `$management` reply links, or a queue receiver (maybe a session one). */
  private onClientReceiver(sender: Sender): void {
    const source = (sender.source as Terminus | undefined) ?? { address: '' };
    const address = source.address;
    sender.set_target(sender.target);
    if (address === '$cbs' || address.endsWith(MANAGEMENT_SUFFIX)) {
      sender.set_source(source);
      return;
    }
    const entity = this.opts.broker.entity(address);
    if (!entity) return this.refuse(sender, errors.entityNotFound(address, this.now()));
    const local = (sender as unknown as { local: { attach: Record<string, unknown> } }).local.attach;
    local.snd_settle_mode = sender.snd_settle_mode;
    local.rcv_settle_mode = sender.rcv_settle_mode;
    const mode = sender.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock';
    const consumer = new ConsumerLink(`consumer-${this.nextId++}`, mode, entity, sender);
    const filter = source.filter ?? {};
    const wantsSession = SESSION_FILTER in filter;
    if (!wantsSession) {
      if (entity.requiresSession) {
        return this.refuse(sender, errors.badRequest(`It is not possible for an entity that requires sessions to create a non-sessionful message receiver ('${entity.path}'). To fix: use acceptSession or acceptNextSession.`, this.now()));
      }
      sender.set_source(source);
      this.register(consumer);
      return;
    }
    const sessions = entity.sessions;
    if (!sessions) {
      return this.refuse(sender, errors.badRequest(`The entity '${entity.path}' is not session-enabled. To fix: use createReceiver, or set requiresSession on the queue.`, this.now()));
    }
    const requested = filter[SESSION_FILTER];
    if (typeof requested === 'string') {
      try {
        const accepted = sessions.accept(requested, consumer);
        this.openSession(sender, source, accepted.sessionId, accepted.lockedUntilMs);
        this.register(consumer);
      } catch (e) {
        if (!isServiceBusEmulatorError(e)) throw e;
        this.refuse(sender, e);
      }
      return;
    }
    const rawTimeout = (sender.properties as Record<string, unknown> | undefined)?.['com.microsoft:timeout'];
    const timeoutInMs = typeof rawTimeout === 'number' && rawTimeout > 0 ? rawTimeout : DEFAULT_ACCEPT_TIMEOUT_IN_MS;
    const state = (sender as unknown as EndpointStateInternals).state;
    state.local_open = false;
    state.open_requests = 0;
    this.consumers.set(sender, consumer);
    let answered = false;
    const cancel = sessions.acceptNext(consumer, timeoutInMs, (result) => {
      answered = true;
      consumer.cancelAccept = undefined;
      if (isServiceBusEmulatorError(result)) {
        this.consumers.delete(sender);
        sender.open();
        this.refuse(sender, result);
        return;
      }
      sender.open();
      this.openSession(sender, source, result.sessionId, result.lockedUntilMs);
      this.register(consumer);
    });
    if (!answered) {
      consumer.cancelAccept = cancel;
      this.opts.log('accept-next-session-waiting', { entity: entity.path, timeoutInMs });
    }
  }

  private openSession(sender: Sender, source: Terminus, sessionId: string, lockedUntilMs: number): void {
    sender.set_source({ ...source, filter: { ...source.filter, [SESSION_FILTER]: sessionId } });
    const local = (sender as unknown as { local: { attach: Record<string, unknown> } }).local.attach;
    local.properties = { ...(sender.properties ?? {}), 'com.microsoft:locked-until-utc': wrapTicks(lockedUntilMs) };
  }

  private register(consumer: ConsumerLink): void {
    this.consumers.set(consumer.sender, consumer);
    consumer.entity.addConsumer(consumer);
    this.opts.log('receiver-attached', { entity: consumer.entity.path, mode: consumer.mode, sessionId: consumer.sessionId });
  }

  /** Attach answered with a null terminus, then detached with the service's error (as Azure does). */
  private refuse(link: Sender | Receiver, error: ServiceBusEmulatorError): void {
    const local = (link as unknown as { local: { attach: Record<string, unknown> } }).local.attach;
    if (link.is_sender()) local.source = null;
    else local.target = null;
    link.close(error.toAmqpError());
    this.opts.log('link-refused', { address: (link.is_sender() ? link.source : link.target) as unknown, condition: error.condition });
  }

  private onTransfer(ctx: EventContext): void {
    const receiver = ctx.receiver as Receiver;
    const delivery = ctx.delivery as Delivery;
    const connection = ctx.connection as Connection;
    const target = (receiver.target as Terminus | undefined)?.address ?? '';
    const request = ctx.message as import('rhea').Message;
    if (target === '$cbs') {
      delivery.accept();
      handleCbsRequest(connection, request);
      return;
    }
    if (target.endsWith(MANAGEMENT_SUFFIX)) {
      delivery.accept();
      handleManagementRequest(this.opts.broker, target.slice(0, -MANAGEMENT_SUFFIX.length), connection, request);
      return;
    }
    const entity = this.opts.broker.entity(target);
    try {
      if (!entity) throw errors.entityNotFound(target, this.now());
      const messages = decodeTransfer((ctx as { format?: number }).format, ctx.message as never);
      for (const m of messages) {
        if (m.amqp.length > this.opts.maxMessageSizeInBytes) throw errors.messageTooLarge(m.amqp.length, this.opts.maxMessageSizeInBytes, this.now());
      }
      for (const m of messages) entity.enqueue(m);
      delivery.accept();
    } catch (e) {
      const error = isServiceBusEmulatorError(e) ? e : errors.badRequest(`Could not read the message: ${(e as Error).message}.`, this.now());
      delivery.reject(error.toAmqpError());
    }
  }

  private onSettle(ctx: EventContext, outcome: 'accepted' | 'rejected' | 'modified' | 'released'): void {
    const sender = ctx.sender as Sender;
    const delivery = ctx.delivery as Delivery;
    const consumer = this.consumers.get(sender);
    const token = consumer?.lockTokens.get(delivery);
    if (!consumer || token === undefined || delivery.settled) return;
    const state = (delivery.remote_state ?? {}) as Record<string, unknown>;
    try {
      consumer.entity.settle(token, this.dispositionOf(outcome, state), consumer.sessionId, consumer);
      delivery.update(true, echoOutcome(outcome));
    } catch (e) {
      if (!isServiceBusEmulatorError(e)) throw e;
      delivery.update(true, outcomes.rejected({ error: e.toAmqpError() }).described());
    } finally {
      consumer.lockTokens.delete(delivery);
      // In receiver-settle-mode "second" the client settles silently after us, so rhea would keep the delivery
      // in the session's 2048-slot outgoing buffer forever and the link would stop after 2048 messages.
      (delivery as unknown as { remote_settled: boolean }).remote_settled = true;
    }
  }

  private dispositionOf(outcome: string, state: Record<string, unknown>): Disposition {
    if (outcome === 'accepted') return { kind: 'complete' };
    if (outcome === 'released') return { kind: 'abandon' };
    if (outcome === 'modified') {
      const propertiesToModify = (state.message_annotations ?? undefined) as Record<string, unknown> | undefined;
      return state.undeliverable_here ? { kind: 'defer', propertiesToModify } : { kind: 'abandon', propertiesToModify };
    }
    const error = (state.error ?? {}) as { condition?: string; info?: Record<string, unknown> };
    const { DeadLetterReason, DeadLetterErrorDescription, ...propertiesToModify } = error.info ?? {};
    return {
      kind: 'deadLetter',
      reason: typeof DeadLetterReason === 'string' ? DeadLetterReason : undefined,
      description: typeof DeadLetterErrorDescription === 'string' ? DeadLetterErrorDescription : undefined,
      propertiesToModify,
    };
  }

  private drop(sender: Sender): void {
    const consumer = this.consumers.get(sender);
    if (!consumer) return;
    this.consumers.delete(sender);
    consumer.cancelAccept?.();
    consumer.entity.removeConsumer(consumer);
  }

  private dropWhere(match: (s: Sender) => boolean): void {
    for (const sender of [...this.consumers.keys()]) if (match(sender)) this.drop(sender);
  }
}

/** Settle with the outcome the client chose, without an error (an error there makes the SDK fail the call). */
function echoOutcome(outcome: string): unknown {
  switch (outcome) {
    case 'accepted': return outcomes.accepted().described();
    case 'rejected': return outcomes.rejected({}).described();
    case 'modified': return outcomes.modified({}).described();
    default: return outcomes.released().described();
  }
}
