const { app } = require('@azure/functions');

app.serviceBusQueue('onMessages', {
  queueName: '%INGRESS_QUEUE%',
  connection: 'ServiceBusConnection',
  isSessionsEnabled: true,
  cardinality: 'many',
  handler: async (messages, context) => ({ count: messages.length, first: messages[0], sessionId: context.triggerMetadata.sessionId }),
});
