const { app } = require('@azure/functions');
// Registers the factory that turns ModelBindingData into { messages, actions }.
require('@azure/functions-extensions-servicebus');
const rhea = require('rhea');

/** propertiesToModify as the Settlement service takes it: an AMQP-encoded map. */
function amqpMap(properties) {
  const writer = new rhea.types.Writer();
  writer.write(rhea.types.wrap_map(properties));
  return writer.toBuffer();
}

// Messages whose batch already failed once: the redelivery succeeds.
const failedOnce = new Set();

app.serviceBusQueue('onSettle', {
  queueName: 'settle',
  connection: 'SLUICE_SERVICEBUS',
  isSessionsEnabled: true,
  cardinality: 'many',
  sdkBinding: true,
  autoCompleteMessages: true,
  handler: async (sb) => {
    const seen = [];
    let fail = false;
    for (const message of sb.messages) {
      const { action } = typeof message.body === 'string' ? JSON.parse(message.body) : message.body;
      seen.push({ action, messageId: message.messageId, sessionId: message.sessionId, lockToken: message.lockToken, sequenceNumber: String(message.sequenceNumber) });
      if (action === 'complete') await sb.actions.complete(message);
      if (action === 'deadletter') {
        await sb.actions.deadletter(message, amqpMap({ DeadLetterReason: 'NotWanted', DeadLetterErrorDescription: `message ${message.messageId} is not wanted` }));
      }
      if (action === 'state') await sb.actions.setSessionState(message.sessionId, Buffer.from('checkpoint'));
      if (action === 'release') await sb.actions.releaseSession(message.sessionId);
      if (action === 'throw' && !failedOnce.has(message.messageId)) fail = true;
    }
    if (fail) {
      for (const message of sb.messages) failedOnce.add(message.messageId);
      throw new Error('failing the batch on purpose');
    }
    return seen;
  },
});

