// Plain CommonJS on purpose: loaded by the local host exactly as the Azure worker loads a compiled app.
const { app, input, trigger } = require('@azure/functions');

const events = [];

app.hook.appStart((context) => {
  context.hookData.startedIn = true;
  events.push('appStart');
});

app.hook.preInvocation((context) => {
  context.hookData.pre = true;
  events.push(`pre:${context.invocationContext.functionName}`);
  if (context.invocationContext.functionName === 'replaced') {
    context.functionHandler = () => ({ body: 'from preInvocation hook' });
  }
});

app.hook.postInvocation((context) => {
  events.push(`post:${context.invocationContext.functionName}:${context.hookData.pre === true}`);
  if (context.invocationContext.functionName === 'recovered' && context.error) {
    context.result = { status: 299, body: `recovered from: ${context.error.message}` };
    context.error = null;
  }
});

app.hook.log((context) => {
  if (context.message.includes('secret')) context.message = context.message.replace('secret', '[redacted]');
});

app.http('hello', {
  route: 'hello/{name?}',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  handler: async (request, context) => {
    context.log('hello called with secret');
    const body = request.method === 'POST' ? await request.json() : null;
    return {
      status: 200,
      headers: { 'x-hello': 'yes' },
      cookies: [{ name: 'visited', value: '1', path: '/' }],
      jsonBody: {
        name: request.params.name ?? null,
        q: request.query.get('q'),
        header: request.headers.get('x-test'),
        method: request.method,
        url: request.url,
        body,
      },
    };
  },
});

app.http('item', {
  route: 'items/{id:int}',
  methods: ['GET'],
  authLevel: 'function',
  handler: async (request) => ({ jsonBody: { id: request.params.id } }),
});

app.http('adminOnly', {
  route: 'secure/admin',
  methods: ['DELETE'],
  authLevel: 'admin',
  handler: async () => ({ status: 204 }),
});

app.get('defaultRoute', { handler: async () => ({ body: 'default route is the function name' }) });

app.http('replaced', { methods: ['GET'], handler: async () => ({ body: 'original handler' }) });

app.http('recovered', {
  methods: ['GET'],
  handler: async () => {
    throw new Error('boom');
  },
});

app.http('failing', {
  methods: ['GET'],
  handler: async () => {
    throw new Error('handler failed on purpose');
  },
});

app.http('hookEvents', { methods: ['GET'], handler: async () => ({ jsonBody: events }) });

app.generic('echo', {
  trigger: trigger.generic({ type: 'activityTrigger' }),
  handler: async (input, context) => ({ input, functionName: context.functionName, startedIn: 'n/a' }),
});

app.http('greeting', {
  route: '%GREETING_ROUTE%/{lang:alpha}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request) => ({ body: `greeting in ${request.params.lang}` }),
});

app.http('durableStart', {
  route: 'orchestrators/{name}',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [input.generic({ type: 'durableClient' })],
  handler: async (request, context) => ({ jsonBody: { client: context.extraInputs.get(context.options.extraInputs[0]) } }),
});
