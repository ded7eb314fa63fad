/**
 * `eltNotifyLoad`: tells one notification target that a load ended (docs/elt.md "Notifications"). The message is
 * the same JSON on both kinds: a Service Bus message (messageId = the notification id, so duplicate detection
 * drops a redelivery) or a webhook POST (headers `x-sluice-event`, `x-sluice-delivery`, and
 * `x-sluice-signature` when the target has a secret), retried with backoff within the target's bounds.
 */
import * as df from 'durable-functions';
import { z } from 'zod';
import { postWebhook } from '../../connectors/http/webhook';
import { SluiceError } from '../../core/errors';
import { eltNotifyTargetSchema, loadNotificationSchema } from '../../orchestrators/elt-outputs-input';
import { sendToQueue } from '../elt/service-bus';

export const notifyLoadActivityName = 'eltNotifyLoad';

export const notifyLoadInputSchema = z.object({ target: eltNotifyTargetSchema, notification: loadNotificationSchema }).strict();

export type NotifyLoadInput = z.infer<typeof notifyLoadInputSchema>;

export async function notifyLoad(rawInput: unknown): Promise<{ delivered: true }> {
  const parsed = notifyLoadInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError('InvalidArgument', `${notifyLoadActivityName}: input invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}. To fix: start loads through POST /api/loads.`);
  }
  const { target, notification } = parsed.data;
  if (target.kind === 'serviceBusQueue') {
    await sendToQueue(target.connectionSetting, target.queueName, {
      body: notification, messageId: notification.id, contentType: 'application/json', subject: notification.type,
      applicationProperties: { loadId: notification.loadId, pipeline: notification.pipeline, outcome: notification.outcome },
    });
    return { delivered: true };
  }
  let secret: string | undefined;
  if (target.secretSetting !== undefined) {
    secret = process.env[target.secretSetting];
    if (!secret) {
      throw new SluiceError('ConfigInvalid', `Webhook target "${target.name}" signs with app setting ${target.secretSetting}, which is not set. To fix: set it, or remove secretSetting.`);
    }
  }
  await postWebhook({
    url: target.url, body: notification, secret, maxRetries: target.maxRetries, timeoutInMs: target.timeoutInMs, retryDelayInMs: target.retryDelayInMs,
    headers: { 'x-sluice-event': notification.type, 'x-sluice-delivery': notification.id },
  });
  return { delivered: true };
}

df.app.activity(notifyLoadActivityName, { handler: notifyLoad });
