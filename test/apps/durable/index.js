// Uses durable-functions as an Azure app would; the host under test gets a minimal Durable half from the test.
const df = require('durable-functions');

df.app.client.http('startChain', {
  route: 'start/{name}',
  methods: ['POST'],
  handler: async (request, client) => {
    const instanceId = await client.startNew(request.params.name, { input: 'Tokyo' });
    return { jsonBody: { instanceId, taskHubName: client.taskHubName } };
  },
});

df.app.orchestration('chain', function* (context) {
  const greeting = yield context.df.callActivity('sayHello', context.df.getInput());
  return greeting;
});

df.app.activity('sayHello', { handler: (city) => `Hello, ${city}` });

df.app.client.http('startAndCheck', {
  route: 'check/{name}',
  methods: ['POST'],
  handler: async (request, client) => {
    const instanceId = await client.startNew(request.params.name, { input: 'Oslo' });
    return client.createCheckStatusResponse(request, instanceId);
  },
});
