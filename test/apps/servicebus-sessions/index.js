const { app } = require('@azure/functions');

// Sessions currently inside the handler: a second concurrent invocation on one session is a host bug.
const inFlight = new Set();

app.serviceBusQueue('onOrdered', {
  queueName: 'ordered',
  connection: 'SLUICE_SERVICEBUS',
  isSessionsEnabled: true,
  handler: async (message, context) => {
    const sessionId = context.triggerMetadata.sessionId;
    const overlap = inFlight.has(sessionId);
    inFlight.add(sessionId);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      if (message.failUntilDelivery !== undefined && context.triggerMetadata.deliveryCount < message.failUntilDelivery) {
        throw new Error(`failing delivery ${context.triggerMetadata.deliveryCount} on purpose`);
      }
      return { sessionId, seq: message.seq, overlap, deliveryCount: context.triggerMetadata.deliveryCount };
    } finally {
      inFlight.delete(sessionId);
    }
  },
});

app.serviceBusQueue('onBatch', {
  queueName: 'batched',
  connection: 'SLUICE_SERVICEBUS',
  isSessionsEnabled: true,
  cardinality: 'many',
  handler: async (messages, context) => ({
    sessionId: context.triggerMetadata.sessionId,
    sessionIds: context.triggerMetadata.sessionIdArray,
    seqs: messages.map((m) => m.seq),
  }),
});
