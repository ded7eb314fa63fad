// Function chaining behind the standard HTTP starter, as the Durable quickstart writes it (CommonJS, no build).
const { app } = require('@azure/functions');
const df = require('durable-functions');

df.app.activity('sayHello', { handler: (city) => `Hello, ${city}` });

df.app.orchestration('helloSequence', function* (context) {
  const outputs = [];
  outputs.push(yield context.df.callActivity('sayHello', 'Tokyo'));
  outputs.push(yield context.df.callActivity('sayHello', 'Seattle'));
  outputs.push(yield context.df.callActivity('sayHello', 'Cairo'));
  return outputs;
});

app.http('httpStart', {
  route: 'orchestrators/{orchestratorName}',
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const instanceId = await client.startNew(request.params.orchestratorName);
    return client.createCheckStatusResponse(request, instanceId);
  },
});

app.http('status', {
  route: 'status/{instanceId}',
  methods: ['GET'],
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const status = await client.getStatus(request.params.instanceId);
    return { jsonBody: { runtimeStatus: status.runtimeStatus, output: status.output } };
  },
});
